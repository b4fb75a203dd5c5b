using DurableTask.AzureStorage;
using DurableTask.Core;
using HomeService.LocalHost;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Google.Protobuf.WellKnownTypes;
using Microsoft.DurableTask.Protobuf;
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
        // Pins the library behaviour the sidecar works around: if an update fixes it, StartStopGuard is no longer needed for it.
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider("UseDevelopmentStorage=true"),
            TaskHubName = "sidecarstoptest",
        });

        await Assert.ThrowsAsync<NullReferenceException>(() => service.StopAsync(isForced: false));
    }

    [Fact]
    public async Task A_sidecar_stopped_during_start_up_never_stops_a_task_hub_that_has_not_finished_starting()
    {
        // Like the Azure Storage provider: StartAsync takes a while, and a StopAsync before it finished throws (the test
        // above) — in the sidecar's async void ApplicationStopping handler, where that ends the process (seen in CI).
        var startGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var stoppedBeforeStarted = 0;
        var service = new Mock<IOrchestrationService>();
        service.Setup(s => s.CreateIfNotExistsAsync()).Returns(Task.CompletedTask);
        service.Setup(s => s.StartAsync()).Returns(async () =>
        {
            await startGate.Task;
            Interlocked.Increment(ref started);
        });
        Task Stop()
        {
            if (Volatile.Read(ref started) == 0)
            {
                Interlocked.Increment(ref stoppedBeforeStarted);
            }

            return Task.CompletedTask;
        }

        service.Setup(s => s.StopAsync()).Returns(Stop);
        service.Setup(s => s.StopAsync(It.IsAny<bool>())).Returns(Stop);
        var endpoint = new LocalDurableEndpoint(Options.Create(new LocalDurableOptions()));
        var sidecar = new LocalDurableSidecar(service.Object, Mock.Of<IOrchestrationServiceClient>(), endpoint, NullLoggerFactory.Instance);

        await sidecar.StartAsync(CancellationToken.None);
        // A worker's first call brings up the sidecar's gRPC server, which then waits for the worker to ask for work;
        // stopping cancels that wait, after which the server begins starting the task hub — and stops it at once.
        await new TaskHubSidecarService.TaskHubSidecarServiceClient(endpoint.Channel).HelloAsync(new Empty());
        var stopping = sidecar.StopAsync(CancellationToken.None);
        startGate.SetResult();
        await stopping;
        await sidecar.StopAsync(CancellationToken.None);

        Assert.Equal(0, stoppedBeforeStarted);
        var starts = service.Invocations.Count(i => i.Method.Name == nameof(IOrchestrationService.StartAsync));
        var stops = service.Invocations.Count(i => i.Method.Name == nameof(IOrchestrationService.StopAsync));
        Assert.InRange(starts, 0, 1);
        Assert.Equal(starts, stops);
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

    [Fact]
    public async Task A_sidecar_whose_task_hub_cannot_be_created_fails_to_start_and_still_stops()
    {
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        service.Setup(s => s.CreateIfNotExistsAsync()).ThrowsAsync(new InvalidOperationException("storage unreachable"));
        var endpoint = new LocalDurableEndpoint(Options.Create(new LocalDurableOptions()));
        var sidecar = new LocalDurableSidecar(service.Object, Mock.Of<IOrchestrationServiceClient>(), endpoint, NullLoggerFactory.Instance);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => sidecar.StartAsync(CancellationToken.None));
        await sidecar.StopAsync(CancellationToken.None);

        Assert.Equal("storage unreachable", failure.Message);
        service.Verify(s => s.CreateIfNotExistsAsync(), Times.Once);
        service.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task The_guard_stops_a_started_task_hub_once_however_many_stop_it()
    {
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        service.Setup(s => s.StartAsync()).Returns(Task.CompletedTask);
        service.Setup(s => s.StopAsync(false)).Returns(Task.CompletedTask);
        var guard = new StartStopGuard(service.Object);

        await guard.StartAsync();
        await guard.StartAsync();
        await Task.WhenAll(guard.StopAsync(), guard.StopAsync(isForced: false), guard.StopAsync());

        service.Verify(s => s.StartAsync(), Times.Once);
        service.Verify(s => s.StopAsync(false), Times.Once);
    }

    [Fact]
    public async Task The_guard_does_not_start_a_task_hub_that_was_stopped_first()
    {
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        var guard = new StartStopGuard(service.Object);

        await guard.StopAsync();
        await guard.StartAsync();

        service.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_stop_during_a_start_waits_for_it_and_then_stops()
    {
        var starting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        service.Setup(s => s.StartAsync()).Returns(starting.Task);
        service.Setup(s => s.StopAsync(false)).Returns(Task.CompletedTask);
        var guard = new StartStopGuard(service.Object);

        var start = guard.StartAsync();
        var stop = guard.StopAsync();

        Assert.False(stop.IsCompleted);
        service.Verify(s => s.StopAsync(false), Times.Never);
        starting.SetResult();
        await Task.WhenAll(start, stop);
        service.Verify(s => s.StopAsync(false), Times.Once);
    }

    [Fact]
    public async Task A_start_that_failed_is_not_stopped()
    {
        var service = new Mock<IOrchestrationService>(MockBehavior.Strict);
        service.Setup(s => s.StartAsync()).ThrowsAsync(new InvalidOperationException("storage unreachable"));
        var guard = new StartStopGuard(service.Object);

        await Assert.ThrowsAsync<InvalidOperationException>(guard.StartAsync);
        await guard.StopAsync();

        service.Verify(s => s.StartAsync(), Times.Once);
        service.VerifyNoOtherCalls();
    }
}
