namespace HomeService.Domain.Orders;

public enum Audience
{
    Customer,
    Worker,
    Admin,
}

/// <summary>
/// One message-center entry to write. <see cref="UserId"/> is null for <see cref="Audience.Admin"/>
/// (the operators on duty for the order's city).
/// </summary>
public sealed record OrderNotification(Audience Audience, string? UserId, string MessageKey);

/// <summary>Who hears about each order event, and under which message key. Pure data.</summary>
public static class OrderNotifications
{
    /// <param name="before">The order as it was before the event (it names the customer and the committed worker).</param>
    public static IReadOnlyList<OrderNotification> For(OrderEvent @event, OrderState before)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(before);

        var customer = @event is OrderPlaced placed ? placed.Details.CustomerId : before.CustomerId;
        OrderNotification Customer(string key) => new(Audience.Customer, customer, key);
        OrderNotification Worker(string? id, string key) => new(Audience.Worker, id, key);
        OrderNotification Admin(string key) => new(Audience.Admin, null, key);

        IEnumerable<OrderNotification?> list = @event switch
        {
            OrderPlaced => [Customer("order.placed")],
            PaymentConfirmed => [Customer("order.paid")],
            LatePaymentReceived => [Customer("order.late-payment"), Admin("order.late-payment")],
            OrderClosedForNonPayment => [Customer("order.closed-unpaid")],
            OfferMade e => [Worker(e.WorkerId, "order.offered")],
            OfferAccepted e => [Customer("order.accepted"), Worker(e.WorkerId, "order.accepted")],
            OfferRejected => [],
            OfferExpired e => [Worker(e.WorkerId, "order.offer-expired")],
            EscalatedToManualDispatch => [Admin("order.manual-dispatch")],
            OrderGrabbed e => [Customer("order.accepted"), Worker(e.WorkerId, "order.grabbed")],
            WorkerAssignedByAdmin e =>
            [
                Customer("order.accepted"),
                Worker(e.WorkerId, "order.assigned"),
                e.WithdrawnOfferWorkerId is { } withdrawn && withdrawn != e.WorkerId
                    ? Worker(withdrawn, "order.offer-withdrawn")
                    : null,
            ],
            WorkerReassigned e =>
            [
                Customer("order.worker-changed"),
                Worker(e.PreviousWorkerId, "order.unassigned"),
                Worker(e.NewWorkerId, "order.assigned"),
            ],
            OrderRescheduled => [Customer("order.rescheduled"), Worker(before.CurrentWorkerId ?? before.OfferedToWorkerId, "order.rescheduled")],
            TripStarted => [Customer("order.on-the-way")],
            LocationUpdated => [],
            WorkerArrived => [Customer("order.arrived")],
            ServiceStarted => [Customer("order.service-started")],
            ServiceCompleted => [Customer("order.completed")],
            OrderConfirmed e =>
            [
                Worker(before.CurrentWorkerId, e.Automatically ? "order.auto-confirmed" : "order.confirmed"),
                e.Automatically ? Customer("order.auto-confirmed") : null,
            ],
            AfterSaleOpened => [Admin("order.after-sale-opened"), Worker(before.CurrentWorkerId, "order.after-sale-opened")],
            AfterSaleResolved => [Customer("order.after-sale-resolved"), Worker(before.CurrentWorkerId, "order.after-sale-resolved")],
            OrderCancelled e =>
            [
                Customer("order.cancelled"),
                e.WorkerId is null ? null : Worker(e.WorkerId, "order.cancelled"),
                e.By.Role == ActorRole.Customer && e.WorkerId is not null ? Admin("order.cancelled-after-dispatch") : null,
            ],
            RefundRequested => [Customer("order.refund-requested")],
            RefundCompleted => [Customer("order.refunded")],
            RefundAttemptFailed => [Admin("order.refund-failed")],
            SettlementBecameDue => [],
            OrderSettled => [Worker(before.CurrentWorkerId, "order.settled")],
            ReminderDue e =>
            [
                Customer(ReminderKey(e.Kind)),
                e.WorkerId is null ? null : Worker(e.WorkerId, ReminderKey(e.Kind)),
            ],
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown order event."),
        };

        return list.OfType<OrderNotification>().Where(n => n.Audience == Audience.Admin || n.UserId is not null).ToArray();
    }

    private static string ReminderKey(ReminderKind kind) =>
        kind == ReminderKind.T24h ? "order.reminder.t24h" : "order.reminder.t2h";
}
