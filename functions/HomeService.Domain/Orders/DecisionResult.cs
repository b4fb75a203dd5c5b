namespace HomeService.Domain.Orders;

/// <summary>How the API should answer an <see cref="OrderTransitionError"/>.</summary>
public enum OrderErrorKind
{
    /// <summary>Wrong state for the command: 409 naming the current state.</summary>
    Conflict,
    /// <summary>The actor may not do this to this order: 403.</summary>
    Forbidden,
    /// <summary>The command's own data is wrong (amounts, ids): 400.</summary>
    Invalid,
}

/// <summary>Why a command was refused, naming the state it was refused in.</summary>
public sealed record OrderTransitionError(OrderStatus CurrentStatus, string Command, string Code, OrderErrorKind Kind)
{
    public string Message => $"Cannot {Command} an order in state {CurrentStatus} ({Code}).";
}

/// <summary>Stable codes for clients and the API's problem details.</summary>
public static class OrderErrorCodes
{
    public const string NotAllowedInState = "not-allowed-in-state";
    public const string TakenByAnotherWorker = "taken-by-another-worker";
    public const string NotAssignedToYou = "not-assigned-to-you";
    public const string NotOfferedToYou = "not-offered-to-you";
    public const string NotYourOrder = "not-your-order";
    public const string WorkersCannotCancel = "workers-cannot-cancel";
    public const string CancelNeedsAdmin = "cancel-needs-admin";
    public const string InvalidOrderDetails = "invalid-order-details";
    public const string AmountMismatch = "amount-mismatch";
    public const string AmountOutOfRange = "amount-out-of-range";
    public const string AlreadyPaid = "already-paid";
    public const string WrongOfferRound = "wrong-offer-round";
    public const string MaxOfferRoundsExceeded = "max-offer-rounds-exceeded";
    public const string WorkerAlreadyDeclined = "worker-already-declined";
    public const string OfferExpired = "offer-expired";
    public const string NotInGrabPool = "not-in-grab-pool";
    public const string TimerNotDue = "timer-not-due";
    public const string ComplaintWindowClosed = "complaint-window-closed";
    public const string RefundInProgress = "refund-in-progress";
    public const string SettlementNotDue = "settlement-not-due";
    public const string AdminOnly = "admin-only";
    public const string InvalidSchedule = "invalid-schedule";
}

/// <summary>
/// The outcome of <see cref="OrderDecider.Decide"/>: events to append (possibly none, when the
/// command was already applied or is a stale timer) or an error.
/// </summary>
public sealed record DecisionResult(IReadOnlyList<OrderEvent> Events, OrderTransitionError? Error)
{
    public static DecisionResult NoChange { get; } = new([], null);

    public static DecisionResult Of(params OrderEvent[] events) => new(events, null);

    public static DecisionResult Fail(OrderTransitionError error) => new([], error);

    public bool IsError => Error is not null;

    /// <summary>Accepted but nothing to do: an already-applied command or a stale timer.</summary>
    public bool IsNoOp => Error is null && Events.Count == 0;
}
