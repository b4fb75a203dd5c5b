using System.Text.Json;
using Azure.Storage.Queues;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Messaging;

/// <summary>
/// The local stand-in for the topic (Development only): each event's envelope — messageId, subject, contentType,
/// applicationProperties, body — as one message on an Azurite queue that no function reads, so a developer can look at
/// what downstream systems would get. Messages never expire.
/// </summary>
public sealed class StorageQueueIntegrationEvents(StorageClients storage, IOptions<IntegrationEventsOptions> options, ILogger<StorageQueueIntegrationEvents> logger)
    : IIntegrationEvents
{
    private readonly QueueClient _queue = storage.Queue(options.Value.Queue);

    // Bicep creates no queue for a local stand-in; a race of two first publishes just creates it twice (idempotent).
    private volatile bool _queueExists;

    public async Task PublishAsync(OrderIntegrationEvent integrationEvent, CancellationToken ct)
    {
        var envelope = IntegrationEventEnvelope.For(integrationEvent);
        if (!_queueExists)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: ct);
            _queueExists = true;
        }

        await _queue.SendMessageAsync(JsonSerializer.Serialize(envelope, CosmosDb.JsonOptions), visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), ct);
        logger.LogDebug("Integration event {EventId} ({EventType}) written to queue {Queue}", envelope.MessageId, envelope.Subject, _queue.Name);
    }
}
