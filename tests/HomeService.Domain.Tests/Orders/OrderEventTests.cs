using System.Text.Json;
using HomeService.Domain.Orders;
using static HomeService.Domain.Orders.OrderStatus;
using static HomeService.Domain.Tests.Orders.Given;

namespace HomeService.Domain.Tests.Orders;

public class OrderEventTests
{
    private static readonly DateTimeOffset At = T0;

    private static readonly OrderEvent[] OneOfEach =
    [
        new OrderPlaced(OrderId, Details(), LifecycleTimings.Default, At.AddMinutes(15), At),
        new PaymentConfirmed(OrderId, "pay-1", Price, At),
        new LatePaymentReceived(OrderId, "pay-1", Price, At),
        new OrderClosedForNonPayment(OrderId, At),
        new OfferMade(OrderId, Worker, 1, At.AddMinutes(5), At),
        new OfferAccepted(OrderId, Worker, 1, At),
        new OfferRejected(OrderId, Worker, 1, "too far", At),
        new OfferExpired(OrderId, Worker, 1, At),
        new EscalatedToManualDispatch(OrderId, "no worker", At),
        new OrderGrabbed(OrderId, Worker, At),
        new WorkerAssignedByAdmin(OrderId, AdminId, OtherWorker, Worker, At),
        new WorkerReassigned(OrderId, AdminId, Worker, OtherWorker, "sick", At),
        new OrderRescheduled(OrderId, Customer, At, At.AddDays(1), At.AddDays(1).AddHours(2), At),
        new TripStarted(OrderId, Worker, OnTheRoad, Start, At),
        new LocationUpdated(OrderId, Worker, Home, Start, At),
        new WorkerArrived(OrderId, Worker, At),
        new ServiceStarted(OrderId, Worker, At),
        new ServiceCompleted(OrderId, Worker, ["uploads/o-1/a.jpg"], "done", At.AddHours(24), At),
        new OrderConfirmed(OrderId, CustomerId, true, At.AddHours(72), At),
        new AfterSaleOpened(OrderId, CustomerId, "stain", At),
        new AfterSaleResolved(OrderId, AdminId, "fixed", At),
        new OrderCancelled(OrderId, Customer, "late", 1_000, Price - 1_000, Worker, At),
        new RefundRequested(OrderId, Admin, 5_000, "partial", At),
        new RefundCompleted(OrderId, "r-1", 5_000, At),
        new RefundAttemptFailed(OrderId, "r-1", "frozen", At),
        new SettlementBecameDue(OrderId, Worker, Price, At),
        new OrderSettled(OrderId, "s-1", At),
        new ReminderDue(OrderId, ReminderKind.T2h, CustomerId, Worker, At),
    ];

    [Fact]
    public void Every_event_type_round_trips_through_json_with_a_type_discriminator()
    {
        var eventTypes = typeof(OrderEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(OrderEvent)) && !t.IsAbstract);
        Assert.Equal(eventTypes.Select(t => t.Name).Order(), OneOfEach.Select(e => e.GetType().Name).Order());

        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Assert.All(OneOfEach, e =>
        {
            var json = JsonSerializer.Serialize<OrderEvent>(e, options);
            Assert.Contains($"\"type\":\"{e.GetType().Name}\"", json, StringComparison.Ordinal);
            var back = JsonSerializer.Deserialize<OrderEvent>(json, options);
            Assert.Equal(json, JsonSerializer.Serialize(back, options));
        });
    }

    [Fact]
    public void Every_event_has_a_notification_rule_with_order_message_keys()
    {
        var state = InStatus(Accepted);

        Assert.All(OneOfEach, e => Assert.All(OrderNotifications.For(e, state), n =>
        {
            Assert.StartsWith("order.", n.MessageKey, StringComparison.Ordinal);
            Assert.True(n.Audience == Audience.Admin || n.UserId is not null);
        }));
    }

    [Fact]
    public void Acceptance_tells_the_customer_and_the_worker()
    {
        var offered = InStatus(Offered);
        var accepted = OrderDecider.Decide(new Accept(Worker, AcceptedAt), offered).Events.Single();

        Assert.Equal(
            [new OrderNotification(Audience.Customer, CustomerId, "order.accepted"), new OrderNotification(Audience.Worker, Worker, "order.accepted")],
            OrderNotifications.For(accepted, offered));
    }

    [Fact]
    public void Running_out_of_offer_rounds_alerts_the_admins()
    {
        var lastRound = OfferedInRound(3);
        var events = OrderDecider.Decide(new OfferTimedOut("w-r3", 3, OfferedAt.AddMinutes(5)), lastRound).Events;

        var escalated = Assert.IsType<EscalatedToManualDispatch>(events[^1]);
        Assert.Contains(new OrderNotification(Audience.Admin, null, "order.manual-dispatch"), OrderNotifications.For(escalated, lastRound));
    }

    [Fact]
    public void A_cancellation_after_dispatch_tells_the_worker_who_held_the_order()
    {
        var accepted = InStatus(Accepted);
        var cancelled = OrderDecider.Decide(new Cancel(Customer, "late", Price, 0, TripAt), accepted).Events.Single();

        var notified = OrderNotifications.For(cancelled, accepted);

        Assert.Contains(new OrderNotification(Audience.Customer, CustomerId, "order.cancelled"), notified);
        Assert.Contains(new OrderNotification(Audience.Worker, Worker, "order.cancelled"), notified);
    }

    [Fact]
    public void Live_location_updates_do_not_fill_the_message_center() =>
        Assert.Empty(OrderNotifications.For(new LocationUpdated(OrderId, Worker, Home, Start, At), InStatus(OnTheWay)));

    [Fact]
    public void Random_command_sequences_only_ever_move_along_the_table()
    {
        OrderCommand[] pool =
        [
            Place(DispatchMode.GrabPool), Pay, new ConfirmPayment("pay-2", Price, PaidAt), new PaymentTimedOut(T0.AddMinutes(15)),
            new Offer(Worker, 1, OfferedAt), new Offer(OtherWorker, 2, OfferedAt), new Accept(Worker, AcceptedAt),
            new Accept(OtherWorker, AcceptedAt), new Reject(Worker, "no", AcceptedAt), new OfferTimedOut(Worker, 1, OfferedAt.AddMinutes(5)),
            new Grab(Worker, OfferedAt), new Grab(OtherWorker, OfferedAt), new EscalateToManual("none", OfferedAt),
            new AssignByAdmin(AdminId, ThirdWorker, AcceptedAt), new Reassign(AdminId, OtherWorker, "sick", TripAt),
            new StartTrip(Worker, OnTheRoad, Start, TripAt), new UpdateLocation(Worker, Home, Start, TripAt),
            new Arrive(Worker, ArrivedAt), new StartService(Worker, Start), new Complete(Worker, [], null, End),
            new Confirm(CustomerId, ConfirmedAt), new AutoConfirm(End.AddHours(24)), new OpenAfterSale(CustomerId, "x", ConfirmedAt),
            new ResolveAfterSale(AdminId, "ok", ConfirmedAt), new Cancel(Customer, "x", 0, Price, TripAt), new Cancel(Admin, "x", Price, 0, TripAt),
            new Cancel(Customer, "x", 0, 0, T0), new RequestRefund(Admin, 5_000, "x", ConfirmedAt), new RefundSucceeded("r-1", 5_000, ConfirmedAt),
            new RefundSucceeded("r-2", Price, ConfirmedAt), new RefundFailed("r-3", "x", ConfirmedAt), new SettlementDue(SettlementDueAt),
            new MarkSettled("s-1", SettlementDueAt), new SendReminder(ReminderKind.T24h, Start.AddHours(-24)),
        ];
        var random = new Random(20300301);

        for (var run = 0; run < 300; run++)
        {
            var state = OrderState.Initial.Then(Place(random.Next(2) == 0 ? DispatchMode.GrabPool : DispatchMode.AutoAssign));
            var applied = 1L;
            for (var step = 0; step < 40; step++)
            {
                var command = pool[random.Next(pool.Length)];
                var before = state.Status;
                var result = OrderDecider.Decide(command, state);
                if (result.Error is { } error)
                {
                    Assert.Equal(before, error.CurrentStatus);
                    continue;
                }

                state = OrderDecider.Evolve(state, result.Events);
                applied += result.Events.Count;
                Assert.True(result.IsNoOp || OrderTransitions.IsAllowed(before, command.GetType(), state.Status),
                    $"{command.GetType().Name}: {before} -> {state.Status}");
                Assert.Equal(applied, state.Version);
                Assert.InRange(state.RefundedFen + state.RefundPendingFen, 0, state.PaidFen);
            }
        }
    }
}
