using System.Text.Json;
using HomeService.Functions.Infrastructure.Cosmos;

namespace HomeService.Functions.Messaging;

/// <summary>
/// The one mapping of an integration event to a message, shared by both transports, so what a developer reads from the
/// local queue is what a topic subscriber receives: message id = event id (duplicate detection drops repeats), subject =
/// event type, the routing fields as application properties (subscription filters), the event as camelCase JSON.
/// </summary>
public sealed record IntegrationEventEnvelope(
    string MessageId, string Subject, string ContentType, IReadOnlyDictionary<string, object> ApplicationProperties, JsonElement Body)
{
    public const string JsonContentType = "application/json";

    public static IntegrationEventEnvelope For(OrderIntegrationEvent integrationEvent)
    {
        // Duplicate detection only works if a repeat carries the same id; a made-up id would deliver it twice.
        var expectedId = $"{integrationEvent.OrderId}:{integrationEvent.Position}";
        if (integrationEvent.Id != expectedId)
        {
            throw new ArgumentException(
                $"An integration event's id must be \"{{orderId}}:{{position}}\" ('{expectedId}'), not '{integrationEvent.Id}'.", nameof(integrationEvent));
        }

        return new IntegrationEventEnvelope(
            integrationEvent.Id,
            integrationEvent.Type,
            JsonContentType,
            new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["orderId"] = integrationEvent.OrderId,
                ["cityId"] = integrationEvent.CityId,
                ["status"] = integrationEvent.Status,
                ["position"] = integrationEvent.Position,
            },
            JsonSerializer.SerializeToElement(integrationEvent, CosmosDb.JsonOptions));
    }
}
