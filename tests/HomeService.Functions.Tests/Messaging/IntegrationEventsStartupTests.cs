using Azure.Messaging.ServiceBus;
using HomeService.Functions.Messaging;
using HomeService.Functions.Tests.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Messaging;

/// <summary>How the integration-event transport is chosen from configuration, and what a deployment refuses (no emulators needed).</summary>
public sealed class IntegrationEventsStartupTests
{
    private const string Namespace = "IntegrationEvents:ServiceBus:FullyQualifiedNamespace";

    private static string StartupFailure(string environment, params (string Key, string? Value)[] settings) =>
        PaymentsAppFactory.StartupFailure(environment, settings);

    [Fact]
    public void The_local_storage_queue_is_refused_outside_development()
    {
        var failure = StartupFailure("Production", ("IntegrationEvents:Provider", "StorageQueue"));

        Assert.Contains("IntegrationEvents:Provider=StorageQueue is a local stand-in and is refused outside Development", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_provider_outside_development_means_service_bus_and_refuses_to_start_without_its_namespace()
    {
        var failure = StartupFailure("Production", ("IntegrationEvents:Provider", null), (Namespace, null));

        Assert.Contains($"IntegrationEvents:Provider=ServiceBus is not fully configured: {Namespace}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_bus_without_a_namespace_refuses_to_start_in_development_too()
    {
        var failure = StartupFailure("Development", ("IntegrationEvents:Provider", "ServiceBus"));

        Assert.Contains($"IntegrationEvents:Provider=ServiceBus is not fully configured: {Namespace}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_provider_is_refused()
    {
        var failure = StartupFailure("Development", ("IntegrationEvents:Provider", "EventGrid"));

        Assert.Contains("Unknown IntegrationEvents:Provider 'EventGrid' (ServiceBus | StorageQueue)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_service_bus_sends_to_the_default_topic_of_its_namespace()
    {
        await using var factory = new PaymentsAppFactory("Development", new Dictionary<string, string?>
        {
            ["IntegrationEvents:Provider"] = "ServiceBus",
            [Namespace] = "sb-homeservice-tests.servicebus.windows.net",
        });

        Assert.IsType<ServiceBusIntegrationEvents>(factory.Services.GetRequiredService<IIntegrationEvents>());
        var sender = factory.Services.GetRequiredService<ServiceBusSender>();
        Assert.Equal("order-events", sender.EntityPath);
        Assert.Equal("sb-homeservice-tests.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Same(sender, factory.Services.GetRequiredService<ServiceBusSender>());
    }
}
