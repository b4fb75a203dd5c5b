using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;

namespace HomeService.Functions.Orders;

/// <summary>
/// The durable timers' queue function. Idempotent and order-insensitive: a timer whose deadline is no longer
/// in the order (paid, accepted, superseded) is stale and does nothing; an early one (a chained long delay,
/// or clock skew) is sent again for the rest of its wait; a due one becomes the matching timer command.
/// </summary>
public sealed class OrderTimerFunction(TimeProvider time, IMessageTransport transport, OrderLifecycle lifecycle)
{
    public const string Name = "HandleOrderTimer";

    [Function(Name)]
    public async Task<string> RunAsync([QueueTrigger(OrderQueues.Timers)] QueueMessage queued, CancellationToken ct)
    {
        var text = queued.Body.ToString();
        var timer = JsonSerializer.Deserialize<OrderTimerMessage>(text, CosmosDb.JsonOptions)
                    ?? throw new InvalidDataException("Empty order timer message.");
        if (time.GetUtcNow() < timer.DueAt)
        {
            await transport.SendAsync(OrderQueues.Timers, text, timer.DueAt, ct);
            return $"Timer {timer.Kind} of {timer.OrderId} not due until {timer.DueAt:O}; re-queued";
        }

        var order = await lifecycle.FindAsync(timer.OrderId, ct);
        if (order is null || !order.State.Deadlines.Contains(new Deadline(timer.Kind, timer.DueAt)))
        {
            return $"Timer {timer.Kind} of {timer.OrderId} is stale";
        }

        await lifecycle.ExecuteAsync(timer.OrderId, (current, now) => CommandFor(timer, current, now), ct);
        return $"Timer {timer.Kind} of {timer.OrderId} handled";
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
public sealed class OrderOutboxSweep(OrderRelay relay)
{
    public const string Name = "RelayOrderOutbox";
    public const string Schedule = "30 * * * * *";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken ct)
    {
        var relayed = await relay.SweepAsync(TimeSpan.FromSeconds(30), ct);
        return $"Outbox sweep relayed {relayed} orders";
    }
}
