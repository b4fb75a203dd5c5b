namespace HomeService.Functions.Messaging;

/// An order's state change as downstream systems see it. Id = "{orderId}:{position}" (stable: a repeat has the same id).
public sealed record OrderIntegrationEvent(string Id, string Type, string OrderId, string CityId, string Status, int Position, DateTimeOffset OccurredAt, System.Text.Json.JsonElement Data);

/// <summary>
/// Where integration events leave the app (ARCHITECTURE D4): a Service Bus topic in Azure, an Azurite queue locally.
/// Called from an idempotent activity, so a publish may repeat; the event id makes the repeat recognisable.
/// </summary>
public interface IIntegrationEvents { Task PublishAsync(OrderIntegrationEvent integrationEvent, CancellationToken ct); }
