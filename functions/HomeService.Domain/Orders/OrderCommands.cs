using HomeService.Domain.Common;

namespace HomeService.Domain.Orders;

/// <summary>A request to change an order. Every command carries the instant it is decided at.</summary>
public abstract record OrderCommand(DateTimeOffset Now);

/// <summary>
/// A command fired by a durable timer. Timers are delivered at least once and may outlive the
/// state they were set for, so a timer with no matching pending deadline is a no-op, never an error.
/// </summary>
public abstract record OrderTimerCommand(DateTimeOffset Now) : OrderCommand(Now);

public sealed record Place(OrderDetails Details, LifecycleTimings Timings, DateTimeOffset Now) : OrderCommand(Now);

public sealed record ConfirmPayment(string PaymentId, long AmountFen, DateTimeOffset Now) : OrderCommand(Now);

public sealed record PaymentTimedOut(DateTimeOffset Now) : OrderTimerCommand(Now);

/// <summary>Offer the order to one worker; the acceptance deadline is <c>Now + Timings.AcceptanceTimeout</c>.</summary>
public sealed record Offer(string WorkerId, int Round, DateTimeOffset Now) : OrderCommand(Now);

public sealed record Accept(string WorkerId, DateTimeOffset Now) : OrderCommand(Now);

public sealed record Reject(string WorkerId, string Reason, DateTimeOffset Now) : OrderCommand(Now);

public sealed record OfferTimedOut(string WorkerId, int Round, DateTimeOffset Now) : OrderTimerCommand(Now);

public sealed record EscalateToManual(string Reason, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>Grab pool: the pool window closed with nobody grabbing; the order escalates to manual dispatch.</summary>
public sealed record GrabPoolExpired(DateTimeOffset Now) : OrderTimerCommand(Now);

/// <summary>A worker grabs an order from the grab pool; the first valid grab wins.</summary>
public sealed record Grab(string WorkerId, DateTimeOffset Now) : OrderCommand(Now);

public sealed record AssignByAdmin(string AdminId, string WorkerId, DateTimeOffset Now) : OrderCommand(Now);

public sealed record Reassign(string AdminId, string NewWorkerId, string Reason, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>Moves the order to a new time the worker's calendar already holds for it (the app moves the calendar first).</summary>
public sealed record Reschedule(Actor By, DateTimeOffset NewStart, DateTimeOffset NewEnd, DateTimeOffset Now) : OrderCommand(Now);

public sealed record StartTrip(string WorkerId, GeoPoint Location, DateTimeOffset Eta, DateTimeOffset Now) : OrderCommand(Now);

public sealed record UpdateLocation(string WorkerId, GeoPoint Location, DateTimeOffset Eta, DateTimeOffset Now) : OrderCommand(Now);

/// <param name="Evidence">Where the worker reported from (<see cref="VisitRules"/>); kept on the event.</param>
public sealed record Arrive(string WorkerId, DateTimeOffset Now, VisitEvidence? Evidence = null) : OrderCommand(Now);

public sealed record StartService(string WorkerId, DateTimeOffset Now, VisitEvidence? Evidence = null) : OrderCommand(Now);

public sealed record Complete(string WorkerId, IReadOnlyList<string> PhotoBlobNames, string? Notes, DateTimeOffset Now, VisitEvidence? Evidence = null)
    : OrderCommand(Now);

public sealed record Confirm(string CustomerId, DateTimeOffset Now) : OrderCommand(Now);

public sealed record AutoConfirm(DateTimeOffset Now) : OrderTimerCommand(Now);

public sealed record OpenAfterSale(string CustomerId, string Reason, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>An admin closes an after-sale case without a refund; settlement may proceed.</summary>
public sealed record ResolveAfterSale(string AdminId, string Resolution, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>
/// Cancel the order. <paramref name="FeeFen"/> and <paramref name="RefundFen"/> come from the city's
/// cancellation policy (computed outside the decider); together they must account for every paid fen.
/// </summary>
public sealed record Cancel(Actor By, string Reason, long FeeFen, long RefundFen, DateTimeOffset Now) : OrderCommand(Now);

public sealed record RequestRefund(Actor By, long AmountFen, string Reason, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>The payment provider reports a refund done (callback or query).</summary>
public sealed record RefundSucceeded(string RefundId, long AmountFen, DateTimeOffset Now) : OrderCommand(Now);

public sealed record RefundFailed(string RefundId, string Reason, DateTimeOffset Now) : OrderCommand(Now);

/// <summary>The complaint window has closed: record that the order may be settled.</summary>
public sealed record SettlementDue(DateTimeOffset Now) : OrderTimerCommand(Now);

/// <summary>The ledger has settled the order (worker / merchant wallets credited).</summary>
public sealed record MarkSettled(string SettlementId, DateTimeOffset Now) : OrderCommand(Now);

public sealed record SendReminder(ReminderKind Kind, DateTimeOffset Now) : OrderTimerCommand(Now);
