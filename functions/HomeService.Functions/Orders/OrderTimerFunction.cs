using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;

namespace HomeService.Functions.Orders;

/// <summary>
/// The durable timers' queue function. Idempotent and order-insensitive: a timer whose deadline is no longer
/// in the order (paid, accepted, superseded) is stale and does nothing; an early one (a chained long delay,
/// or clock skew) is sent again for the rest of its wait; a due one becomes the matching timer command.
/// </summary>
public static class OrderTimerFunction
{
    public const string Name = "HandleOrderTimer";

    public static async Task<object?> RunAsync(FunctionInvocation invocation, CancellationToken ct)
    {
        var timer = JsonSerializer.Deserialize<OrderTimerMessage>(invocation.MessageText, CosmosDb.JsonOptions)
                    ?? throw new InvalidDataException("Empty order timer message.");
        var services = invocation.Services;
        var time = services.GetRequiredService<TimeProvider>();
        if (time.GetUtcNow() < timer.DueAt)
        {
            await services.GetRequiredService<IMessageTransport>().SendAsync(OrderQueues.Timers, invocation.MessageText, timer.DueAt, ct);
            invocation.Logs.Add($"Timer {timer.Kind} of {timer.OrderId} not due until {timer.DueAt:O}; re-queued");
            return null;
        }

        var lifecycle = services.GetRequiredService<OrderLifecycle>();
        var order = await lifecycle.FindAsync(timer.OrderId, ct);
        if (order is null || !order.State.Deadlines.Contains(new Deadline(timer.Kind, timer.DueAt)))
        {
            invocation.Logs.Add($"Timer {timer.Kind} of {timer.OrderId} is stale");
            return null;
        }

        await lifecycle.ExecuteAsync(timer.OrderId, (current, now) => CommandFor(timer, current, now), ct);
        return null;
    }

    /// <summary>The command a due timer stands for; null when the order moved on after the check above.</summary>
    internal static OrderCommand? CommandFor(OrderTimerMessage timer, OrderDocument order, DateTimeOffset now)
    {
        if (!order.State.Deadlines.Contains(new Deadline(timer.Kind, timer.DueAt)))
        {
            return null;
        }

        return timer.Kind switch
        {
            TimerKind.PaymentTimeout => new PaymentTimedOut(now),
            TimerKind.OfferAcceptance when order.State.OfferedToWorkerId is { } worker => new OfferTimedOut(worker, order.State.OfferRound, now),
            TimerKind.OfferAcceptance => null,
            TimerKind.ReminderT24h => new SendReminder(ReminderKind.T24h, now),
            TimerKind.ReminderT2h => new SendReminder(ReminderKind.T2h, now),
            TimerKind.AutoConfirm => new AutoConfirm(now),
            TimerKind.SettlementDue => new SettlementDue(now),
            TimerKind.GrabPoolExpiry => new GrabPoolExpired(now),
            _ => throw new InvalidDataException($"Unknown timer kind {timer.Kind}."),
        };
    }
}

/// <summary>Sweeps orders whose outbox a dead relay left behind (ARCHITECTURE D3).</summary>
public static class OrderOutboxSweep
{
    public const string Name = "RelayOrderOutbox";

    public static async Task<object?> RunAsync(FunctionInvocation invocation, CancellationToken ct)
    {
        var relayed = await invocation.Services.GetRequiredService<OrderRelay>().SweepAsync(TimeSpan.FromSeconds(30), ct);
        invocation.Logs.Add($"Outbox sweep relayed {relayed} orders");
        return null;
    }
}
