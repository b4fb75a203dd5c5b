using System.Text.Json;
using Azure.Messaging.ServiceBus;
using HomeService.Functions.Infrastructure.Cosmos;

namespace HomeService.Functions.Messaging;

/// <summary>
/// Integration events on the Service Bus topic (Azure). The sender is the one <see cref="ServiceBusSender"/> of the
/// process for the topic (<see cref="IntegrationEventsSetup"/>); the client retries transient faults itself and then
/// throws, which fails the calling activity so that it is retried. A repeat after a lost acknowledgement carries the same
/// message id, and the topic's duplicate detection drops it.
/// </summary>
public sealed class ServiceBusIntegrationEvents(ServiceBusSender sender, ILogger<ServiceBusIntegrationEvents> logger) : IIntegrationEvents
{
    public async Task PublishAsync(OrderIntegrationEvent integrationEvent, CancellationToken ct)
    {
        var envelope = IntegrationEventEnvelope.For(integrationEvent);
        var message = new ServiceBusMessage(JsonSerializer.SerializeToUtf8Bytes(envelope.Body, CosmosDb.JsonOptions))
        {
            MessageId = envelope.MessageId,
            Subject = envelope.Subject,
            ContentType = envelope.ContentType,
        };
        foreach (var (name, value) in envelope.ApplicationProperties)
        {
            message.ApplicationProperties[name] = value;
        }

        await sender.SendMessageAsync(message, ct);
        logger.LogDebug("Integration event {EventId} ({EventType}) sent to {Topic}", envelope.MessageId, envelope.Subject, sender.EntityPath);
    }
}
