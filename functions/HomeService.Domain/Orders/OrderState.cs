using HomeService.Domain.Common;

namespace HomeService.Domain.Orders;

/// <summary>
/// The order as the decider sees it. Changed only by <see cref="OrderDecider.Evolve"/>;
/// <see cref="Version"/> counts applied events (the Cosmos ETag guards the document separately).
/// </summary>
/// <param name="CurrentWorkerId">The worker committed to the order (holds the reservation from acceptance on).</param>
/// <param name="OfferedToWorkerId">The worker holding the open offer, while <see cref="OrderStatus.Offered"/>.</param>
/// <param name="DeclinedWorkerIds">Workers who rejected or let an offer expire; never offered again.</param>
/// <param name="Deadlines">Pending timers; a timer command with no matching deadline here is stale.</param>
/// <param name="RefundPendingFen">The refund in flight while <see cref="OrderStatus.Refunding"/>.</param>
/// <param name="FailedRefundId">Set when the last refund attempt failed; a new request may then retry.</param>
/// <param name="SettlementIsDue">The complaint window has closed; the ledger may settle the order.</param>
public sealed record OrderState(
    string Id,
    string CustomerId,
    string CityId,
    string ItemId,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduledEnd,
    GeoPoint Address,
    long PriceTotalFen,
    long PaidFen,
    long RefundedFen,
    OrderStatus Status,
    DispatchMode DispatchMode,
    string? DesignatedWorkerId,
    string? CurrentWorkerId,
    string? OfferedToWorkerId,
    int OfferRound,
    IReadOnlyList<string> DeclinedWorkerIds,
    IReadOnlyList<Deadline> Deadlines,
    IReadOnlyList<string> CompletionPhotos,
    string? CompletionNotes,
    long Version,
    LifecycleTimings Timings,
    string? PaymentId,
    GeoPoint? LastKnownLocation,
    DateTimeOffset? Eta,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    long CancellationFeeFen,
    long RefundPendingFen,
    IReadOnlyList<string> RefundIds,
    string? FailedRefundId,
    bool SettlementIsDue)
{
    /// <summary>The state of an order that does not exist yet.</summary>
    public static OrderState Initial { get; } = new(
        Id: "", CustomerId: "", CityId: "", ItemId: "",
        ScheduledStart: default, ScheduledEnd: default, Address: default,
        PriceTotalFen: 0, PaidFen: 0, RefundedFen: 0,
        Status: OrderStatus.None, DispatchMode: DispatchMode.AutoAssign, DesignatedWorkerId: null,
        CurrentWorkerId: null, OfferedToWorkerId: null, OfferRound: 0,
        DeclinedWorkerIds: [], Deadlines: [], CompletionPhotos: [], CompletionNotes: null,
        Version: 0, Timings: LifecycleTimings.Default, PaymentId: null,
        LastKnownLocation: null, Eta: null, CompletedAt: null, ConfirmedAt: null, CancelledAt: null,
        CancellationFeeFen: 0, RefundPendingFen: 0, RefundIds: [], FailedRefundId: null,
        SettlementIsDue: false);

    /// <summary>Paid and not yet refunded (nor in flight to be refunded).</summary>
    public long RefundableFen => PaidFen - RefundedFen - RefundPendingFen;

    public Deadline? DeadlineOf(TimerKind kind) => Deadlines.FirstOrDefault(d => d.Kind == kind);

    /// <summary>A worker is committed and the service has not finished yet.</summary>
    public bool IsWorkerEngaged => Status is OrderStatus.Accepted or OrderStatus.OnTheWay
        or OrderStatus.Arrived or OrderStatus.InService;
}
