using DurableTask.AzureStorage;
using DurableTask.Core;
using HomeService.LocalHost;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// The local host's Durable sidecar starts the task hub only once a worker connects; a host stopped before that (a test
/// fixture that never ran an orchestration, a Ctrl+C during start-up) must still stop cleanly.
/// </summary>
public sealed class LocalDurableSidecarTests
{
    [Fact]
    public async Task The_azure_storage_provider_throws_when_stopped_without_having_started()
    {
        // Pins the library behaviour the sidecar works around: if an update fixes it, the catch in StopAsync can go.
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider("UseDevelopmentStorage=true"),
            TaskHubName = "sidecarstoptest",
        });

        await Assert.ThrowsAsync<NullReferenceException>(() => service.StopAsync(isForced: false));
    }

    [Fact]
    public async Task A_sidecar_stopped_before_any_worker_connected_stops_cleanly_and_only_once()
    {
        var service = new Mock<IOrchestrationService>();
        service.Setup(s => s.CreateIfNotExistsAsync()).Returns(Task.CompletedTask);
        service.Setup(s => s.StopAsync()).Returns(Task.CompletedTask);
        // What the Azure Storage provider does when it was never started (the test above).
        service.Setup(s => s.StopAsync(false)).ThrowsAsync(new NullReferenceException());
        var client = new Mock<IOrchestrationServiceClient>();
        var endpoint = new LocalDurableEndpoint(Options.Create(new LocalDurableOptions()));
        var sidecar = new LocalDurableSidecar(service.Object, client.Object, endpoint, NullLoggerFactory.Instance);

        await sidecar.StartAsync(CancellationToken.None);
        await sidecar.StopAsync(CancellationToken.None);
        await sidecar.StopAsync(CancellationToken.None);

        service.Verify(s => s.CreateIfNotExistsAsync(), Times.Once);
        service.Verify(s => s.StopAsync(false), Times.Once);
    }

    [Fact]
    public async Task A_sidecar_that_never_started_does_not_touch_the_task_hub_when_stopped()
    {
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        var endpoint = new LocalDurableEndpoint(Options.Create(new LocalDurableOptions()));
        var sidecar = new LocalDurableSidecar(service.Object, Mock.Of<IOrchestrationServiceClient>(), endpoint, NullLoggerFactory.Instance);

        await sidecar.StopAsync(CancellationToken.None);

        service.VerifyNoOtherCalls();
    }
}
