using HomeService.Domain.Orders;

namespace HomeService.Functions.Orders;

public static class OrderQueues
{
    /// <summary>Every committed order event, relayed from the outbox: notifications and reactions.</summary>
    public const string Events = "order-events";

    /// <summary>Durable timers: a message per deadline, invisible until it is due (chained beyond 7 days).</summary>
    public const string Timers = "order-timers";
}

/// <summary>One committed event with the notifications it causes (computed at write time, from the state before it).</summary>
public sealed record OrderEventMessage(string Id, string OrderId, OrderEvent Event, IReadOnlyList<OrderNotification> Notifications);

/// <summary>A durable timer: the deadline (kind + due time) it was set for. A deadline no longer in the order makes it stale.</summary>
public sealed record OrderTimerMessage(string OrderId, TimerKind Kind, DateTimeOffset DueAt);
