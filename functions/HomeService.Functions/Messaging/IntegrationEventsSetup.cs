using Azure.Identity;
using Azure.Messaging.ServiceBus;

namespace HomeService.Functions.Messaging;

public sealed class IntegrationEventsOptions
{
    public const string Section = "IntegrationEvents";

    /// <summary>The topic infra/main.bicep creates (a test keeps the two equal).</summary>
    public const string DefaultTopic = "order-events";

    /// <summary>The local queue, read by no function: a developer reads what a subscriber of the topic would get.</summary>
    public const string DefaultQueue = "integration-events";

    /// <summary>"ServiceBus" (the default outside Development) or "StorageQueue" (Development only; the default there).</summary>
    public string? Provider { get; set; }

    public ServiceBusIntegrationEventsOptions ServiceBus { get; set; } = new();

    /// <summary>StorageQueue only: the queue the envelopes are written to (with <c>Storage:QueuePrefix</c>).</summary>
    public string Queue { get; set; } = DefaultQueue;
}

public sealed class ServiceBusIntegrationEventsOptions
{
    /// <summary>e.g. <c>sb-xyz.servicebus.windows.net</c>; the app signs in with its managed identity (Data Sender on the topic).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string Topic { get; set; } = IntegrationEventsOptions.DefaultTopic;

    public List<string> Missing()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(FullyQualifiedNamespace))
        {
            missing.Add($"{IntegrationEventsOptions.Section}:ServiceBus:{nameof(FullyQualifiedNamespace)}");
        }

        if (string.IsNullOrWhiteSpace(Topic))
        {
            missing.Add($"{IntegrationEventsOptions.Section}:ServiceBus:{nameof(Topic)}");
        }

        return missing;
    }
}

public static class IntegrationEventsSetup
{
    /// <summary>
    /// <c>IntegrationEvents:Provider</c>: ServiceBus (the default outside Development; refuses to start without its
    /// namespace) or StorageQueue (the default in Development; a local stand-in, refused elsewhere).
    /// </summary>
    public static IServiceCollection AddIntegrationEvents(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(IntegrationEventsOptions.Section);
        services.Configure<IntegrationEventsOptions>(section);
        var options = section.Get<IntegrationEventsOptions>() ?? new IntegrationEventsOptions();
        var provider = options.Provider is { Length: > 0 } configured ? configured : environment.IsDevelopment() ? "StorageQueue" : "ServiceBus";

        switch (provider.ToUpperInvariant())
        {
            case "SERVICEBUS":
                var missing = options.ServiceBus.Missing();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException("IntegrationEvents:Provider=ServiceBus is not fully configured: " + string.Join(", ", missing));
                }

                // One client (one AMQP connection) and one sender per process; DefaultAzureCredential picks the
                // user-assigned identity from AZURE_CLIENT_ID. Nothing connects until the first send.
                services.AddSingleton(_ => new ServiceBusClient(options.ServiceBus.FullyQualifiedNamespace, new DefaultAzureCredential()));
                services.AddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(options.ServiceBus.Topic));
                services.AddSingleton<IIntegrationEvents, ServiceBusIntegrationEvents>();
                break;
            case "STORAGEQUEUE":
                if (!environment.IsDevelopment())
                {
                    throw new InvalidOperationException("IntegrationEvents:Provider=StorageQueue is a local stand-in and is refused outside Development.");
                }

                if (string.IsNullOrWhiteSpace(options.Queue))
                {
                    throw new InvalidOperationException("IntegrationEvents:Provider=StorageQueue needs IntegrationEvents:Queue.");
                }

                services.AddSingleton<IIntegrationEvents, StorageQueueIntegrationEvents>();
                break;
            default:
                throw new InvalidOperationException($"Unknown IntegrationEvents:Provider '{provider}' (ServiceBus | StorageQueue).");
        }

        return services;
    }
}
