using System.Text.Json.Serialization;
using HomeService.Domain.Common;

namespace HomeService.Domain.Orders;

/// <summary>
/// Something that happened to an order. Events are stored with the state change (the outbox) and
/// relayed to queues; <see cref="OrderNotifications"/> says who hears about each one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OrderPlaced), nameof(OrderPlaced))]
[JsonDerivedType(typeof(PaymentConfirmed), nameof(PaymentConfirmed))]
[JsonDerivedType(typeof(LatePaymentReceived), nameof(LatePaymentReceived))]
[JsonDerivedType(typeof(OrderClosedForNonPayment), nameof(OrderClosedForNonPayment))]
[JsonDerivedType(typeof(OfferMade), nameof(OfferMade))]
[JsonDerivedType(typeof(OfferAccepted), nameof(OfferAccepted))]
[JsonDerivedType(typeof(OfferRejected), nameof(OfferRejected))]
[JsonDerivedType(typeof(OfferExpired), nameof(OfferExpired))]
[JsonDerivedType(typeof(EscalatedToManualDispatch), nameof(EscalatedToManualDispatch))]
[JsonDerivedType(typeof(OrderGrabbed), nameof(OrderGrabbed))]
[JsonDerivedType(typeof(WorkerAssignedByAdmin), nameof(WorkerAssignedByAdmin))]
[JsonDerivedType(typeof(WorkerReassigned), nameof(WorkerReassigned))]
[JsonDerivedType(typeof(OrderRescheduled), nameof(OrderRescheduled))]
[JsonDerivedType(typeof(TripStarted), nameof(TripStarted))]
[JsonDerivedType(typeof(LocationUpdated), nameof(LocationUpdated))]
[JsonDerivedType(typeof(WorkerArrived), nameof(WorkerArrived))]
[JsonDerivedType(typeof(ServiceStarted), nameof(ServiceStarted))]
[JsonDerivedType(typeof(ServiceCompleted), nameof(ServiceCompleted))]
[JsonDerivedType(typeof(OrderConfirmed), nameof(OrderConfirmed))]
[JsonDerivedType(typeof(AfterSaleOpened), nameof(AfterSaleOpened))]
[JsonDerivedType(typeof(AfterSaleResolved), nameof(AfterSaleResolved))]
[JsonDerivedType(typeof(OrderCancelled), nameof(OrderCancelled))]
[JsonDerivedType(typeof(RefundRequested), nameof(RefundRequested))]
[JsonDerivedType(typeof(RefundCompleted), nameof(RefundCompleted))]
[JsonDerivedType(typeof(RefundAttemptFailed), nameof(RefundAttemptFailed))]
[JsonDerivedType(typeof(SettlementBecameDue), nameof(SettlementBecameDue))]
[JsonDerivedType(typeof(OrderSettled), nameof(OrderSettled))]
[JsonDerivedType(typeof(ReminderDue), nameof(ReminderDue))]
public abstract record OrderEvent(string OrderId, DateTimeOffset At);

public sealed record OrderPlaced(string OrderId, OrderDetails Details, LifecycleTimings Timings, DateTimeOffset PaymentDueAt, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record PaymentConfirmed(string OrderId, string PaymentId, long AmountFen, DateTimeOffset At) : OrderEvent(OrderId, At);

/// <summary>Money arrived for an order already closed or cancelled; it is refunded in full.</summary>
public sealed record LatePaymentReceived(string OrderId, string PaymentId, long AmountFen, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OrderClosedForNonPayment(string OrderId, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OfferMade(string OrderId, string WorkerId, int Round, DateTimeOffset AcceptBy, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OfferAccepted(string OrderId, string WorkerId, int Round, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OfferRejected(string OrderId, string WorkerId, int Round, string Reason, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OfferExpired(string OrderId, string WorkerId, int Round, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record EscalatedToManualDispatch(string OrderId, string Reason, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OrderGrabbed(string OrderId, string WorkerId, DateTimeOffset At) : OrderEvent(OrderId, At);

/// <param name="WithdrawnOfferWorkerId">The worker whose open offer the assignment replaced, if any.</param>
public sealed record WorkerAssignedByAdmin(string OrderId, string AdminId, string WorkerId, string? WithdrawnOfferWorkerId, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record WorkerReassigned(string OrderId, string AdminId, string PreviousWorkerId, string NewWorkerId, string Reason, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record OrderRescheduled(string OrderId, Actor By, DateTimeOffset FromStart, DateTimeOffset NewStart, DateTimeOffset NewEnd, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record TripStarted(string OrderId, string WorkerId, GeoPoint Location, DateTimeOffset Eta, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record LocationUpdated(string OrderId, string WorkerId, GeoPoint Location, DateTimeOffset Eta, DateTimeOffset At) : OrderEvent(OrderId, At);

/// <param name="Evidence">Where the worker reported from; null on events written before visit checks.</param>
public sealed record WorkerArrived(string OrderId, string WorkerId, DateTimeOffset At, VisitEvidence? Evidence = null) : OrderEvent(OrderId, At);

public sealed record ServiceStarted(string OrderId, string WorkerId, DateTimeOffset At, VisitEvidence? Evidence = null) : OrderEvent(OrderId, At);

public sealed record ServiceCompleted(
    string OrderId, string WorkerId, IReadOnlyList<string> PhotoBlobNames, string? Notes, DateTimeOffset AutoConfirmAt, DateTimeOffset At,
    VisitEvidence? Evidence = null) : OrderEvent(OrderId, At);

public sealed record OrderConfirmed(string OrderId, string CustomerId, bool Automatically, DateTimeOffset SettlementDueAt, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record AfterSaleOpened(string OrderId, string CustomerId, string Reason, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record AfterSaleResolved(string OrderId, string AdminId, string Resolution, DateTimeOffset At) : OrderEvent(OrderId, At);

/// <param name="WorkerId">The worker committed to or offered the order when it was cancelled, if any.</param>
public sealed record OrderCancelled(string OrderId, Actor By, string Reason, long FeeFen, long RefundFen, string? WorkerId, DateTimeOffset At)
    : OrderEvent(OrderId, At);

public sealed record RefundRequested(string OrderId, Actor By, long AmountFen, string Reason, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record RefundCompleted(string OrderId, string RefundId, long AmountFen, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record RefundAttemptFailed(string OrderId, string RefundId, string Reason, DateTimeOffset At) : OrderEvent(OrderId, At);

/// <param name="SettleableFen">What the ledger should settle: paid minus refunded.</param>
public sealed record SettlementBecameDue(string OrderId, string? WorkerId, long SettleableFen, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record OrderSettled(string OrderId, string SettlementId, DateTimeOffset At) : OrderEvent(OrderId, At);

public sealed record ReminderDue(string OrderId, ReminderKind Kind, string CustomerId, string? WorkerId, DateTimeOffset At) : OrderEvent(OrderId, At);
