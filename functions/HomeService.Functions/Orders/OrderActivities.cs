using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Dispatch;
using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Orders;

public sealed record ReadOrderInput(string OrderId, IReadOnlyList<Deadline> Skip);

/// <summary>What the orchestration needs of the order: where it is, how far its history goes, and the plan for now.</summary>
/// <param name="Now">The business time the plan was made at (the app's clock).</param>
public sealed record OrderStep(bool Exists, OrderStatus Status, int HistoryCount, LifecyclePlan Plan, DateTimeOffset Now);

public sealed record OrderEventRef(string OrderId, int Position);

public sealed record FireDeadlineInput(string OrderId, Deadline Deadline);

/// <param name="Round">For an offer: the round whose refusal (or 0: the payment) it follows.</param>
public sealed record OrderMoveInput(string OrderId, int Round = 0);

/// <param name="Changed">The move wrote a change to the order.</param>
/// <param name="NotDueUntil">A deadline the app's clock does not see as due yet: when it will be.</param>
public sealed record MoveOutcome(bool Changed, DateTimeOffset? NotDueUntil = null);

/// <summary>
/// The order orchestration's activities. Each reads the order document itself (money and workers come from it, never
/// from the orchestration's input) and is idempotent: run twice, it changes nothing the second time.
/// </summary>
public sealed class OrderActivities(
    OrderLifecycle lifecycle, OrderEventHandler events, Dispatcher dispatcher, OrderMoneyReactions money, TimeProvider time,
    ILogger<OrderActivities> logger)
{
    public const string Read = "OrderRead";
    public const string ReactToEvent = "OrderReactToEvent";
    public const string FireDeadline = "OrderFireDeadline";
    public const string OfferNextWorker = "OrderOfferNextWorker";
    public const string Settle = "OrderSettle";

    [Function(Read)]
    public async Task<OrderStep> ReadAsync([ActivityTrigger] ReadOrderInput input, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(input.OrderId, ct);
        var now = time.GetUtcNow();
        return order is null
            ? new OrderStep(false, OrderStatus.None, 0, new LifecyclePlan(LifecycleMove.Wait), now)
            : new OrderStep(true, order.Status, order.History.Count, LifecyclePlanner.Next(order.State, now, input.Skip), now);
    }

    /// <summary>Message-center entries, the integration event and the reactions of the event at one position of the history.</summary>
    [Function(ReactToEvent)]
    public async Task<bool> ReactToEventAsync([ActivityTrigger] OrderEventRef input, CancellationToken ct)
    {
        using var _ = OrderActivityScope.Enter(input.OrderId);
        return await events.HandleAsync(input.OrderId, input.Position, ct);
    }

    [Function(FireDeadline)]
    public async Task<MoveOutcome> FireDeadlineAsync([ActivityTrigger] FireDeadlineInput input, CancellationToken ct)
    {
        using var _ = OrderActivityScope.Enter(input.OrderId);
        if (time.GetUtcNow() < input.Deadline.DueAt)
        {
            return new MoveOutcome(false, input.Deadline.DueAt);
        }

        return await MoveAsync(input.OrderId, () => lifecycle.ExecuteAsync(input.OrderId,
            (order, now) => LifecyclePlanner.CommandFor(input.Deadline, order.State, now), ct), ct);
    }

    [Function(OfferNextWorker)]
    public async Task<MoveOutcome> OfferNextWorkerAsync([ActivityTrigger] OrderMoveInput input, CancellationToken ct)
    {
        using var _ = OrderActivityScope.Enter(input.OrderId);
        return await MoveAsync(input.OrderId, () => dispatcher.OfferNextAsync(input.OrderId, input.Round, ct), ct);
    }

    [Function(Settle)]
    public async Task<MoveOutcome> SettleAsync([ActivityTrigger] OrderMoveInput input, CancellationToken ct)
    {
        using var _ = OrderActivityScope.Enter(input.OrderId);
        return await MoveAsync(input.OrderId, () => money.SettleAsync(input.OrderId, ct), ct);
    }

    /// <summary>Runs a move and says whether it wrote to the order; a move the order refuses wrote nothing.</summary>
    private async Task<MoveOutcome> MoveAsync(string orderId, Func<Task> move, CancellationToken ct)
    {
        var before = (await lifecycle.FindAsync(orderId, ct))?.History.Count ?? 0;
        try
        {
            await move();
        }
        catch (OrderTransitionException e)
        {
            logger.LogWarning("Order {OrderId} refused the orchestration's move: {Error}", orderId, e.Error.Message);
        }

        var after = (await lifecycle.FindAsync(orderId, ct))?.History.Count ?? 0;
        return new MoveOutcome(after != before);
    }
}
