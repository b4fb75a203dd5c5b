using System.Text.Json;
using HomeService.Functions.Messaging;

namespace HomeService.Functions.Tests.Messaging;

/// <summary>Integration events as the lifecycle will publish them: one per event of an order's history.</summary>
public static class IntegrationEventSamples
{
    public static OrderIntegrationEvent Placed(string? orderId = null)
    {
        orderId ??= "ORD" + Guid.NewGuid().ToString("N")[..20];
        var at = new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
        var data = JsonSerializer.SerializeToElement(new
        {
            type = "OrderPlaced",
            orderId,
            customerId = "cust-1",
            itemId = "daily-cleaning-2h",
            priceFen = 12_800,
            at,
        });
        return new OrderIntegrationEvent($"{orderId}:0", "OrderPlaced", orderId, "shanghai", "pendingPayment", 0, at, data);
    }

    /// <summary>The event's fields, with <see cref="OrderIntegrationEvent.Data"/> compared by value.</summary>
    public static void AssertSame(OrderIntegrationEvent expected, OrderIntegrationEvent? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Data = default }, actual with { Data = default });
        Assert.True(JsonElement.DeepEquals(expected.Data, actual.Data), $"data differs: {actual.Data.GetRawText()}");
    }
}
