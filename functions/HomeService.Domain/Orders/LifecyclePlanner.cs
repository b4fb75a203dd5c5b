using static HomeService.Domain.Orders.OrderStatus;

namespace HomeService.Domain.Orders;

/// <summary>What the order's orchestration does next.</summary>
public enum LifecycleMove
{
    /// <summary>Nothing to do now: wait for the order to change or for <see cref="LifecyclePlan.Deadline"/> (none: only a change).</summary>
    Wait,
    /// <summary><see cref="LifecyclePlan.Deadline"/> is due: run its timer command.</summary>
    Fire,
    /// <summary>A paid order without an open offer: offer it to the next worker (or escalate), after round <see cref="LifecyclePlan.OfferRound"/>.</summary>
    Offer,
    /// <summary>The complaint window has closed: split the money and mark the order settled.</summary>
    Settle,
    /// <summary>The order's life is over: nothing can be due any more.</summary>
    Finish,
}

/// <param name="Deadline">For <see cref="LifecycleMove.Fire"/> the due deadline; for <see cref="LifecycleMove.Wait"/> the nearest one ahead.</param>
public sealed record LifecyclePlan(LifecycleMove Move, Deadline? Deadline = null, int OfferRound = 0);

/// <summary>
/// The process an order's orchestration drives, as a pure function of the order's state and the time: the orchestration
/// asks this after every wake-up (through an activity, so its own code stays deterministic) and does what it says.
/// A due deadline comes first (an offer that expired must expire before the next one is made), then settlement, then
/// dispatch. <paramref name="skip"/> lists deadlines the orchestration found it could not act on, so it never spins on one.
/// </summary>
public static class LifecyclePlanner
{
    /// <summary>One rule of the plan: what to do, when (in words, for the diagram), and the test that picks it.</summary>
    public sealed record Rule(LifecycleMove Move, string When, Func<OrderState, DateTimeOffset, Deadline[], LifecyclePlan?> Pick);

    /// <summary>The rules in the order they are tried; docs/order-lifecycle.md draws the orchestration from them.</summary>
    public static IReadOnlyList<Rule> Rules { get; } =
    [
        new(LifecycleMove.Fire, "a deadline is due",
            (_, now, deadlines) => deadlines.FirstOrDefault(d => d.DueAt <= now) is { } due ? new LifecyclePlan(LifecycleMove.Fire, due) : null),
        new(LifecycleMove.Settle, "settlement is due",
            (state, _, _) => state.SettlementIsDue && state.Status is Confirmed or Refunded ? new LifecyclePlan(LifecycleMove.Settle) : null),
        new(LifecycleMove.Offer, "paid, no open offer, not grab pool",
            (state, _, _) => state.Status == Dispatching && state.DispatchMode != DispatchMode.GrabPool && state.OfferedToWorkerId is null
                ? new LifecyclePlan(LifecycleMove.Offer, OfferRound: state.OfferRound)
                : null),
        new(LifecycleMove.Finish, "over, nothing pending", (state, _, _) => IsFinished(state) ? new LifecyclePlan(LifecycleMove.Finish) : null),
        new(LifecycleMove.Wait, "otherwise", (_, _, deadlines) => new LifecyclePlan(LifecycleMove.Wait, deadlines.FirstOrDefault())),
    ];

    public static LifecyclePlan Next(OrderState state, DateTimeOffset now, IReadOnlyCollection<Deadline>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var deadlines = state.Deadlines.Where(d => skip is null || !skip.Contains(d)).OrderBy(d => d.DueAt).ToArray();
        return Rules.Select(rule => rule.Pick(state, now, deadlines)).First(plan => plan is not null)!;
    }

    /// <summary>
    /// Over: settled, closed, cancelled or refunded, with nothing pending. Only a late payment can still change such an
    /// order (closed or cancelled → refunding), and its command starts the orchestration again.
    /// </summary>
    public static bool IsFinished(OrderState state) =>
        state.Deadlines.Count == 0 && state.RefundPendingFen == 0 &&
        (state.Status == Settled || (state.Status is Closed or Cancelled or Refunded && !state.SettlementIsDue));

    /// <summary>The command a due deadline stands for; null when the order no longer holds it (a stale timer).</summary>
    public static OrderCommand? CommandFor(Deadline deadline, OrderState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Deadlines.Contains(deadline))
        {
            return null;
        }

        return deadline.Kind switch
        {
            TimerKind.PaymentTimeout => new PaymentTimedOut(now),
            TimerKind.OfferAcceptance when state.OfferedToWorkerId is { } worker => new OfferTimedOut(worker, state.OfferRound, now),
            TimerKind.OfferAcceptance => null,
            TimerKind.ReminderT24h => new SendReminder(ReminderKind.T24h, now),
            TimerKind.ReminderT2h => new SendReminder(ReminderKind.T2h, now),
            TimerKind.AutoConfirm => new AutoConfirm(now),
            TimerKind.SettlementDue => new SettlementDue(now),
            TimerKind.GrabPoolExpiry => new GrabPoolExpired(now),
            _ => throw new ArgumentOutOfRangeException(nameof(deadline), deadline.Kind, "Unknown order timer."),
        };
    }

    /// <summary>The part of the life an order is in: the orchestration starts a fresh history (ContinueAsNew) when it changes.</summary>
    public static LifecyclePhase PhaseOf(OrderStatus status) => status switch
    {
        None or PendingPayment => LifecyclePhase.Payment,
        Dispatching or Offered or ManualDispatch => LifecyclePhase.Dispatch,
        Accepted or OnTheWay or Arrived or InService => LifecyclePhase.Service,
        Completed or AfterSale or Confirmed => LifecyclePhase.Confirmation,
        _ => LifecyclePhase.Closing,
    };
}

public enum LifecyclePhase
{
    Payment,
    Dispatch,
    Service,
    Confirmation,
    Closing,
}
