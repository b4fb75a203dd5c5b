using HomeService.Domain.Orders;
using static HomeService.Domain.Orders.OrderStatus;
using static HomeService.Domain.Tests.Orders.Given;

namespace HomeService.Domain.Tests.Orders;

public class OrderLifecycleTests
{
    private static OrderTransitionError Refused(OrderCommand command, OrderState state)
    {
        var result = OrderDecider.Decide(command, state);
        Assert.Empty(result.Events);
        return Assert.IsType<OrderTransitionError>(result.Error);
    }

    private static void NothingHappens(OrderCommand command, OrderState state) =>
        Assert.True(OrderDecider.Decide(command, state).IsNoOp);

    private static IReadOnlyList<OrderEvent> Events(OrderCommand command, OrderState state)
    {
        var result = OrderDecider.Decide(command, state);
        Assert.Null(result.Error);
        return result.Events;
    }

    [Fact]
    public void Happy_path_runs_from_placement_to_settlement()
    {
        var history = new List<OrderEvent>();
        var state = OrderState.Initial;
        OrderCommand[] commands =
        [
            Place(), Pay, new Offer(Worker, 1, OfferedAt), new Accept(Worker, AcceptedAt),
            new StartTrip(Worker, OnTheRoad, Start, TripAt), new UpdateLocation(Worker, Home, Start, TripAt.AddMinutes(20)),
            new Arrive(Worker, ArrivedAt), new StartService(Worker, Start),
            new Complete(Worker, ["uploads/o-1/after.jpg"], "all rooms", End), new Confirm(CustomerId, ConfirmedAt),
            new SettlementDue(SettlementDueAt), new MarkSettled("s-1", SettlementDueAt.AddHours(1)),
        ];
        var statuses = new List<OrderStatus>();
        foreach (var command in commands)
        {
            var events = Events(command, state);
            history.AddRange(events);
            state = OrderDecider.Evolve(state, events);
            statuses.Add(state.Status);
        }

        Assert.Equal(
            [PendingPayment, Dispatching, Offered, Accepted, OnTheWay, OnTheWay, Arrived, InService, Completed, Confirmed, Confirmed, Settled],
            statuses);
        Assert.Equal(
            ["OrderPlaced", "PaymentConfirmed", "OfferMade", "OfferAccepted", "TripStarted", "LocationUpdated", "WorkerArrived",
             "ServiceStarted", "ServiceCompleted", "OrderConfirmed", "SettlementBecameDue", "OrderSettled"],
            history.Select(e => e.GetType().Name));
        Assert.All(history, e => Assert.Equal(OrderId, e.OrderId));
        Assert.Equal(history.Count, state.Version);
        Assert.Equal(Price, state.PaidFen);
        Assert.Equal(Worker, state.CurrentWorkerId);
        Assert.Equal(["uploads/o-1/after.jpg"], state.CompletionPhotos);
        Assert.Equal(Home, state.LastKnownLocation);
        Assert.Empty(state.Deadlines);
        Assert.Equal(Price, Assert.IsType<SettlementBecameDue>(history[^2]).SettleableFen);
    }

    [Fact]
    public void Placing_sets_the_payment_deadline_and_paying_clears_it()
    {
        var placed = InStatus(PendingPayment);
        Assert.Equal([new Deadline(TimerKind.PaymentTimeout, T0.AddMinutes(15))], placed.Deadlines);

        var paid = placed.Then(Pay);
        Assert.Empty(paid.Deadlines);
    }

    [Fact]
    public void Per_city_timings_given_at_placement_drive_the_deadlines()
    {
        var timings = LifecycleTimings.Default with { PaymentTimeout = TimeSpan.FromMinutes(30), AcceptanceTimeout = TimeSpan.FromMinutes(2) };
        var state = OrderState.Initial.Then(Place(timings: timings)).Then(Pay).Then(new Offer(Worker, 1, OfferedAt));

        Assert.Equal(timings, state.Timings);
        Assert.Equal([new Deadline(TimerKind.OfferAcceptance, OfferedAt.AddMinutes(2))], state.Deadlines);
        Assert.Equal(T0.AddMinutes(30), Assert.IsType<OrderPlaced>(Events(Place(timings: timings), OrderState.Initial).Single()).PaymentDueAt);
    }

    [Fact]
    public void Placing_with_a_bad_price_or_schedule_is_invalid()
    {
        var free = Place() with { Details = Details() with { PriceTotalFen = 0 } };
        var backwards = Place() with { Details = Details() with { ScheduledEnd = Start.AddHours(-1) } };
        var designatedWithoutWorker = Place() with { Details = Details(DispatchMode.Designated) with { DesignatedWorkerId = null } };

        Assert.All([free, backwards, designatedWithoutWorker], c =>
        {
            var error = Refused(c, OrderState.Initial);
            Assert.Equal((None, OrderErrorCodes.InvalidOrderDetails, OrderErrorKind.Invalid), (error.CurrentStatus, error.Code, error.Kind));
        });
    }

    [Fact]
    public void Placing_the_same_order_again_changes_nothing() =>
        NothingHappens(Place(), InStatus(PendingPayment));

    [Fact]
    public void Payment_timeout_closes_an_unpaid_order_and_clears_its_deadlines()
    {
        var closed = InStatus(PendingPayment).Then(new PaymentTimedOut(T0.AddMinutes(15)));

        Assert.Equal(Closed, closed.Status);
        Assert.Empty(closed.Deadlines);
    }

    [Fact]
    public void Payment_timeout_after_payment_is_a_no_op() =>
        NothingHappens(new PaymentTimedOut(T0.AddMinutes(15)), InStatus(Dispatching));

    [Fact]
    public void A_timer_delivered_before_its_due_time_is_refused_as_not_due()
    {
        var error = Refused(new PaymentTimedOut(T0.AddMinutes(14)), InStatus(PendingPayment));

        Assert.Equal(OrderErrorCodes.TimerNotDue, error.Code);
    }

    [Fact]
    public void Confirming_the_same_payment_twice_yields_no_events()
    {
        NothingHappens(Pay, InStatus(Dispatching));
        NothingHappens(Pay with { Now = End }, InStatus(Completed));
    }

    [Fact]
    public void A_second_different_payment_is_refused_as_already_paid()
    {
        var error = Refused(new ConfirmPayment("pay-2", Price, PaidAt), InStatus(Offered));

        Assert.Equal((Offered, OrderErrorCodes.AlreadyPaid), (error.CurrentStatus, error.Code));
    }

    [Fact]
    public void A_payment_that_does_not_match_the_price_is_invalid()
    {
        var error = Refused(new ConfirmPayment("pay-1", Price - 1, PaidAt), InStatus(PendingPayment));

        Assert.Equal((OrderErrorCodes.AmountMismatch, OrderErrorKind.Invalid), (error.Code, error.Kind));
    }

    [Fact]
    public void A_payment_arriving_after_the_order_closed_is_refunded_in_full()
    {
        var closed = InStatus(Closed);
        var events = Events(new ConfirmPayment("pay-late", Price, T0.AddMinutes(20)), closed);
        var state = OrderDecider.Evolve(closed, events);

        Assert.Collection(events,
            e => Assert.IsType<LatePaymentReceived>(e),
            e => Assert.Equal(Price, Assert.IsType<RefundRequested>(e).AmountFen));
        Assert.Equal((Refunding, Price, Price), (state.Status, state.PaidFen, state.RefundPendingFen));
    }

    [Fact]
    public void An_offer_sets_the_acceptance_deadline_and_acceptance_swaps_it_for_reminders()
    {
        var offered = InStatus(Offered);
        Assert.Equal([new Deadline(TimerKind.OfferAcceptance, OfferedAt.AddMinutes(5))], offered.Deadlines);
        Assert.Equal((Worker, 1), (offered.OfferedToWorkerId, offered.OfferRound));

        var accepted = offered.Then(new Accept(Worker, AcceptedAt));
        Assert.Equal(
            [new Deadline(TimerKind.ReminderT24h, Start.AddHours(-24)), new Deadline(TimerKind.ReminderT2h, Start.AddHours(-2))],
            accepted.Deadlines);
        Assert.Equal((Worker, (string?)null), (accepted.CurrentWorkerId, accepted.OfferedToWorkerId));
    }

    [Fact]
    public void Reminders_already_in_the_past_at_acceptance_are_not_set()
    {
        var soon = T0.AddHours(5);
        var accepted = OrderState.Initial.Then(Place(start: soon)).Then(Pay)
            .Then(new Offer(Worker, 1, OfferedAt)).Then(new Accept(Worker, AcceptedAt));

        Assert.Equal([new Deadline(TimerKind.ReminderT2h, soon.AddHours(-2))], accepted.Deadlines);
    }

    [Fact]
    public void A_reminder_notifies_once_and_arrival_clears_the_rest()
    {
        var accepted = InStatus(Accepted);
        var reminder = new SendReminder(ReminderKind.T24h, Start.AddHours(-24));
        var reminded = accepted.Then(reminder);

        var due = Assert.IsType<ReminderDue>(Events(reminder, accepted).Single());
        Assert.Equal((CustomerId, Worker), (due.CustomerId, due.WorkerId));
        Assert.Equal([TimerKind.ReminderT2h], reminded.Deadlines.Select(d => d.Kind));
        NothingHappens(reminder, reminded);

        var arrived = reminded.Then(new Arrive(Worker, Start.AddHours(-3)));
        Assert.Empty(arrived.Deadlines);
        NothingHappens(new SendReminder(ReminderKind.T2h, Start.AddHours(-2)), arrived);
    }

    [Fact]
    public void Accept_by_the_same_worker_again_changes_nothing()
    {
        NothingHappens(new Accept(Worker, AcceptedAt), InStatus(Accepted));
        NothingHappens(new Accept(Worker, AcceptedAt), InStatus(OnTheWay));
    }

    [Fact]
    public void Accept_by_another_worker_after_acceptance_is_refused_as_taken()
    {
        var error = Refused(new Accept(OtherWorker, AcceptedAt), InStatus(Accepted));

        Assert.Equal((Accepted, OrderErrorCodes.TakenByAnotherWorker, OrderErrorKind.Conflict), (error.CurrentStatus, error.Code, error.Kind));
    }

    [Fact]
    public void Accept_or_reject_by_a_worker_who_was_not_offered_the_order_is_forbidden()
    {
        var offered = InStatus(Offered);

        Assert.Equal(OrderErrorKind.Forbidden, Refused(new Accept(OtherWorker, AcceptedAt), offered).Kind);
        Assert.Equal(OrderErrorCodes.NotOfferedToYou, Refused(new Reject(OtherWorker, "busy", AcceptedAt), offered).Code);
    }

    [Fact]
    public void Accepting_after_the_offer_deadline_is_refused_as_expired()
    {
        var error = Refused(new Accept(Worker, OfferedAt.AddMinutes(5).AddSeconds(1)), InStatus(Offered));

        Assert.Equal(OrderErrorCodes.OfferExpired, error.Code);
    }

    [Fact]
    public void A_rejection_returns_the_order_to_dispatching_and_remembers_the_worker()
    {
        var offered = InStatus(Offered);
        var rejected = offered.Then(new Reject(Worker, "too far", AcceptedAt));

        Assert.Equal(Dispatching, rejected.Status);
        Assert.Equal([Worker], rejected.DeclinedWorkerIds);
        Assert.Empty(rejected.Deadlines);
        NothingHappens(new Reject(Worker, "too far", AcceptedAt), rejected);
        Assert.Equal(OrderErrorCodes.WorkerAlreadyDeclined, Refused(new Offer(Worker, 2, AcceptedAt), rejected).Code);
    }

    [Fact]
    public void Offer_timeouts_for_every_round_end_in_manual_dispatch()
    {
        var state = InStatus(Dispatching);
        var history = new List<OrderEvent>();
        for (var round = 1; round <= 3; round++)
        {
            var offeredAt = OfferedAt.AddMinutes(10 * round);
            state = state.Then(new Offer($"w-{round}", round, offeredAt));
            var events = Events(new OfferTimedOut($"w-{round}", round, offeredAt.AddMinutes(5)), state);
            history.AddRange(events);
            state = OrderDecider.Evolve(state, events);
            Assert.Equal(round < 3 ? Dispatching : ManualDispatch, state.Status);
        }

        Assert.Equal(["OfferExpired", "OfferExpired", "OfferExpired", "EscalatedToManualDispatch"], history.Select(e => e.GetType().Name));
        Assert.Equal(["w-1", "w-2", "w-3"], state.DeclinedWorkerIds);
        Assert.Empty(state.Deadlines);
        Assert.Equal(OrderErrorCodes.NotAllowedInState, Refused(new Offer("w-4", 4, End), state).Code);
    }

    [Fact]
    public void An_offer_beyond_the_city_maximum_of_rounds_is_refused()
    {
        var state = OrderState.Initial.Then(Place(timings: LifecycleTimings.Default with { MaxOfferRounds = 5 })).Then(Pay);

        Assert.Equal(OrderErrorCodes.MaxOfferRoundsExceeded, Refused(new Offer(Worker, 6, OfferedAt), state).Code);
        Assert.Equal(OrderErrorCodes.WrongOfferRound, Refused(new Offer(Worker, 2, OfferedAt), state).Code);
    }

    [Fact]
    public void A_repeated_offer_for_the_same_worker_and_round_changes_nothing() =>
        NothingHappens(new Offer(Worker, 1, OfferedAt), InStatus(Offered));

    [Fact]
    public void A_stale_offer_timeout_is_a_no_op()
    {
        var secondRound = OfferedInRound(2);
        NothingHappens(new OfferTimedOut("w-r1", 1, End), secondRound);
        NothingHappens(new OfferTimedOut(Worker, 1, End), InStatus(Accepted));
        NothingHappens(new OfferTimedOut(Worker, 1, End), InStatus(Dispatching).Then(new Offer(Worker, 1, OfferedAt)).Then(new Reject(Worker, "no", AcceptedAt)));
    }

    [Fact]
    public void In_the_grab_pool_the_first_grab_wins()
    {
        var pool = InStatus(Dispatching, DispatchMode.GrabPool);
        var grabbed = pool.Then(new Grab(Worker, OfferedAt));

        Assert.Equal((Accepted, Worker), (grabbed.Status, grabbed.CurrentWorkerId));

        var loser = Refused(new Grab(OtherWorker, OfferedAt.AddSeconds(1)), grabbed);
        Assert.Equal((Accepted, OrderErrorCodes.TakenByAnotherWorker, OrderErrorKind.Conflict), (loser.CurrentStatus, loser.Code, loser.Kind));
        NothingHappens(new Grab(Worker, OfferedAt.AddSeconds(1)), grabbed);
    }

    [Fact]
    public void A_grab_pool_order_nobody_grabs_escalates_when_its_pool_window_closes()
    {
        var pool = InStatus(Dispatching, DispatchMode.GrabPool);
        var closesAt = PaidAt + LifecycleTimings.Default.GrabPoolWindow;
        Assert.Equal(new Deadline(TimerKind.GrabPoolExpiry, closesAt), pool.DeadlineOf(TimerKind.GrabPoolExpiry));
        Assert.Null(InStatus(Dispatching).DeadlineOf(TimerKind.GrabPoolExpiry));

        Assert.Equal(OrderErrorCodes.TimerNotDue, Refused(new GrabPoolExpired(closesAt.AddSeconds(-1)), pool).Code);
        var escalated = pool.Then(new GrabPoolExpired(closesAt));
        Assert.Equal(ManualDispatch, escalated.Status);
        Assert.Null(escalated.DeadlineOf(TimerKind.GrabPoolExpiry));

        var grabbed = pool.Then(new Grab(Worker, OfferedAt));
        Assert.Null(grabbed.DeadlineOf(TimerKind.GrabPoolExpiry));
        NothingHappens(new GrabPoolExpired(closesAt), grabbed);
    }

    [Fact]
    public void Grabbing_an_order_that_is_not_in_the_grab_pool_is_refused() =>
        Assert.Equal(OrderErrorCodes.NotInGrabPool, Refused(new Grab(Worker, OfferedAt), InStatus(Dispatching)).Code);

    [Fact]
    public void Admin_assignment_withdraws_an_open_offer()
    {
        var offered = InStatus(Offered);
        var assigned = Assert.IsType<WorkerAssignedByAdmin>(Events(new AssignByAdmin(AdminId, OtherWorker, AcceptedAt), offered).Single());
        var state = offered.Then(new AssignByAdmin(AdminId, OtherWorker, AcceptedAt));

        Assert.Equal(Worker, assigned.WithdrawnOfferWorkerId);
        Assert.Equal((Accepted, OtherWorker, (string?)null), (state.Status, state.CurrentWorkerId, state.OfferedToWorkerId));
        Assert.DoesNotContain(state.Deadlines, d => d.Kind == TimerKind.OfferAcceptance);
    }

    [Fact]
    public void Reassigning_hands_the_order_to_the_new_worker_and_forgets_the_old_trip()
    {
        var state = InStatus(OnTheWay).Then(new Reassign(AdminId, OtherWorker, "flat tyre", TripAt.AddMinutes(5)));

        Assert.Equal((Accepted, OtherWorker, (DateTimeOffset?)null), (state.Status, state.CurrentWorkerId, state.Eta));
        Assert.Equal(OrderErrorCodes.NotAssignedToYou, Refused(new Arrive(Worker, ArrivedAt), state).Code);
        NothingHappens(new Reassign(AdminId, OtherWorker, "again", TripAt.AddMinutes(6)), state);
    }

    [Fact]
    public void Service_steps_by_a_worker_who_does_not_hold_the_order_are_forbidden()
    {
        OrderCommand[] fromTheWrongWorker =
        [
            new StartTrip(OtherWorker, Home, Start, TripAt),
            new Arrive(OtherWorker, ArrivedAt),
        ];
        Assert.All(fromTheWrongWorker, c =>
        {
            var error = Refused(c, InStatus(Accepted));
            Assert.Equal((Accepted, OrderErrorCodes.NotAssignedToYou, OrderErrorKind.Forbidden), (error.CurrentStatus, error.Code, error.Kind));
        });
        Assert.Equal(OrderErrorKind.Forbidden, Refused(new UpdateLocation(OtherWorker, Home, Start, TripAt), InStatus(OnTheWay)).Kind);
        Assert.Equal(OrderErrorKind.Forbidden, Refused(new StartService(OtherWorker, Start), InStatus(Arrived)).Kind);
        Assert.Equal(OrderErrorKind.Forbidden, Refused(new Complete(OtherWorker, [], null, End), InStatus(InService)).Kind);
    }

    [Fact]
    public void Repeated_service_steps_by_the_same_worker_change_nothing()
    {
        NothingHappens(new StartTrip(Worker, OnTheRoad, Start, TripAt), InStatus(OnTheWay));
        NothingHappens(new Arrive(Worker, ArrivedAt), InStatus(Arrived));
        NothingHappens(new StartService(Worker, Start), InStatus(InService));
        NothingHappens(new Complete(Worker, [], null, End), InStatus(Completed));
    }

    [Fact]
    public void Completion_sets_auto_confirm_and_confirmation_sets_settlement_after_the_complaint_window()
    {
        var completed = InStatus(Completed);
        Assert.Equal([new Deadline(TimerKind.AutoConfirm, End.AddHours(24))], completed.Deadlines);
        Assert.Equal(End, completed.CompletedAt);

        var confirmed = completed.Then(new Confirm(CustomerId, ConfirmedAt));
        Assert.Equal([new Deadline(TimerKind.SettlementDue, ConfirmedAt.AddHours(72))], confirmed.Deadlines);

        NothingHappens(new AutoConfirm(End.AddHours(24)), confirmed);
        NothingHappens(new Confirm(CustomerId, ConfirmedAt.AddMinutes(1)), confirmed);
    }

    [Fact]
    public void Auto_confirm_confirms_on_the_customers_behalf()
    {
        var completed = InStatus(Completed);
        var confirmed = Assert.IsType<OrderConfirmed>(Events(new AutoConfirm(End.AddHours(24)), completed).Single());

        Assert.True(confirmed.Automatically);
        Assert.Equal(End.AddHours(24 + 72), confirmed.SettlementDueAt);
    }

    [Fact]
    public void Only_the_orders_customer_can_confirm_it()
    {
        var error = Refused(new Confirm("c-2", ConfirmedAt), InStatus(Completed));

        Assert.Equal((OrderErrorCodes.NotYourOrder, OrderErrorKind.Forbidden), (error.Code, error.Kind));
    }

    [Fact]
    public void After_sale_can_be_opened_only_within_the_complaint_window()
    {
        var confirmed = InStatus(Confirmed);

        Assert.Equal(AfterSale, confirmed.Then(new OpenAfterSale(CustomerId, "stain", SettlementDueAt.AddMinutes(-1))).Status);
        Assert.Equal(OrderErrorCodes.ComplaintWindowClosed, Refused(new OpenAfterSale(CustomerId, "stain", SettlementDueAt), confirmed).Code);
    }

    [Fact]
    public void Opening_after_sale_holds_settlement_until_the_case_is_resolved()
    {
        var afterSale = InStatus(AfterSale);
        Assert.Empty(afterSale.Deadlines);
        NothingHappens(new SettlementDue(SettlementDueAt), afterSale);

        var resolved = afterSale.Then(new ResolveAfterSale(AdminId, "re-cleaned", ConfirmedAt.AddHours(5)));
        Assert.Equal(Confirmed, resolved.Status);
        Assert.Equal([new Deadline(TimerKind.SettlementDue, ConfirmedAt.AddHours(5))], resolved.Deadlines);
    }

    [Fact]
    public void Settling_before_the_settlement_is_due_is_refused() =>
        Assert.Equal(OrderErrorCodes.SettlementNotDue, Refused(new MarkSettled("s-1", SettlementDueAt), InStatus(Confirmed)).Code);

    [Fact]
    public void Settling_twice_changes_nothing() =>
        NothingHappens(new MarkSettled("s-1", SettlementDueAt.AddDays(2)), InStatus(Settled));

    [Fact]
    public void Cancelling_before_payment_closes_the_order_without_money_moving()
    {
        var pending = InStatus(PendingPayment);
        var events = Events(new Cancel(Customer, "changed my mind", 0, 0, T0.AddMinutes(1)), pending);
        var cancelled = OrderDecider.Evolve(pending, events);

        Assert.IsType<OrderCancelled>(Assert.Single(events));
        Assert.Equal((Cancelled, 0L), (cancelled.Status, cancelled.RefundPendingFen));
        Assert.Empty(cancelled.Deadlines);
        NothingHappens(new Cancel(Customer, "again", 0, 0, T0.AddMinutes(2)), cancelled);
        NothingHappens(new PaymentTimedOut(T0.AddMinutes(15)), cancelled);
    }

    [Fact]
    public void Cancelling_before_acceptance_refunds_in_full()
    {
        var state = InStatus(Offered).Then(new Cancel(Customer, "found someone else", 0, Price, AcceptedAt));

        Assert.Equal((Refunding, Price), (state.Status, state.RefundPendingFen));
        Assert.Null(state.OfferedToWorkerId);

        var refunded = state.Then(new RefundSucceeded("r-1", Price, AcceptedAt.AddMinutes(1)));
        Assert.Equal((Refunded, Price, 0L), (refunded.Status, refunded.RefundedFen, refunded.RefundPendingFen));
        NothingHappens(new RefundSucceeded("r-1", Price, AcceptedAt.AddMinutes(2)), refunded);
    }

    [Fact]
    public void Cancelling_after_acceptance_keeps_the_policy_fee_and_releases_the_worker()
    {
        var accepted = InStatus(Accepted);
        var events = Events(new Cancel(Customer, "late cancel", 3_000, Price - 3_000, TripAt), accepted);
        var state = OrderDecider.Evolve(accepted, events);

        var cancelled = Assert.IsType<OrderCancelled>(events[0]);
        Assert.Equal((Worker, 3_000L), (cancelled.WorkerId, cancelled.FeeFen));
        Assert.Equal(Price - 3_000, Assert.IsType<RefundRequested>(events[1]).AmountFen);
        Assert.Equal((Refunding, (string?)null, 3_000L, Price - 3_000), (state.Status, state.CurrentWorkerId, state.CancellationFeeFen, state.RefundPendingFen));
        Assert.Empty(state.Deadlines);
        NothingHappens(new SendReminder(ReminderKind.T24h, Start.AddHours(-24)), state);
    }

    [Fact]
    public void A_cancellation_whose_fee_and_refund_do_not_add_up_to_the_payment_is_invalid()
    {
        var error = Refused(new Cancel(Customer, "late", 1_000, 1_000, TripAt), InStatus(Accepted));

        Assert.Equal((OrderErrorCodes.AmountMismatch, OrderErrorKind.Invalid), (error.Code, error.Kind));
    }

    [Fact]
    public void Workers_and_other_customers_cannot_cancel_and_customers_cannot_once_the_worker_arrived()
    {
        Assert.Equal(OrderErrorCodes.WorkersCannotCancel,
            Refused(new Cancel(new Actor(ActorRole.Worker, Worker), "busy", 0, Price, TripAt), InStatus(Accepted)).Code);
        Assert.Equal(OrderErrorCodes.NotYourOrder,
            Refused(new Cancel(new Actor(ActorRole.Customer, "c-2"), "hm", 0, Price, TripAt), InStatus(Accepted)).Code);
        var arrived = Refused(new Cancel(Customer, "not home", 0, Price, Start), InStatus(Arrived));
        Assert.Equal((Arrived, OrderErrorCodes.CancelNeedsAdmin, OrderErrorKind.Forbidden), (arrived.CurrentStatus, arrived.Code, arrived.Kind));
    }

    [Fact]
    public void A_partial_after_sale_refund_leaves_the_rest_to_be_settled()
    {
        var refunded = PartiallyRefunded(5_000);

        Assert.Equal((Refunded, Price, 5_000L), (refunded.Status, refunded.PaidFen, refunded.RefundedFen));
        Assert.Equal([new Deadline(TimerKind.SettlementDue, ConfirmedAt.AddHours(2))], refunded.Deadlines);

        var due = Assert.IsType<SettlementBecameDue>(Events(new SettlementDue(ConfirmedAt.AddHours(2)), refunded).Single());
        Assert.Equal((Price - 5_000, Worker), (due.SettleableFen, due.WorkerId));

        var settled = refunded.Then(new SettlementDue(ConfirmedAt.AddHours(2))).Then(new MarkSettled("s-1", ConfirmedAt.AddHours(3)));
        Assert.Equal(Settled, settled.Status);
    }

    [Fact]
    public void A_full_refund_leaves_nothing_to_settle()
    {
        var refunded = InStatus(Refunded);

        Assert.Empty(refunded.Deadlines);
        Assert.Equal(OrderErrorCodes.SettlementNotDue, Refused(new MarkSettled("s-1", End.AddDays(10)), refunded).Code);
    }

    [Fact]
    public void A_refund_larger_than_what_remains_paid_is_invalid()
    {
        var error = Refused(new RequestRefund(Admin, Price + 1, "too much", ConfirmedAt.AddHours(1)), InStatus(AfterSale));

        Assert.Equal((OrderErrorCodes.AmountOutOfRange, OrderErrorKind.Invalid), (error.Code, error.Kind));
    }

    [Fact]
    public void Only_admins_or_the_system_request_refunds() =>
        Assert.Equal(OrderErrorCodes.AdminOnly,
            Refused(new RequestRefund(Customer, 100, "give me", ConfirmedAt.AddHours(1)), InStatus(AfterSale)).Code);

    [Fact]
    public void A_failed_refund_can_be_retried_but_not_a_refund_in_flight()
    {
        var refunding = InStatus(Refunding);
        Assert.Equal(OrderErrorCodes.RefundInProgress,
            Refused(new RequestRefund(Admin, Price, "again", ConfirmedAt.AddHours(2)), refunding).Code);

        var failed = refunding.Then(new RefundFailed("r-1", "account frozen", ConfirmedAt.AddHours(2)));
        Assert.Equal((Refunding, "r-1"), (failed.Status, failed.FailedRefundId));
        NothingHappens(new RefundFailed("r-1", "account frozen", ConfirmedAt.AddHours(2)), failed);

        var retried = failed.Then(new RequestRefund(Admin, Price, "retry", ConfirmedAt.AddHours(3)))
            .Then(new RefundSucceeded("r-2", Price, ConfirmedAt.AddHours(4)));
        Assert.Equal((Refunded, Price), (retried.Status, retried.RefundedFen));
    }

    [Fact]
    public void A_refund_success_for_another_amount_than_requested_is_invalid() =>
        Assert.Equal(OrderErrorCodes.AmountMismatch,
            Refused(new RefundSucceeded("r-1", Price - 1, ConfirmedAt.AddHours(2)), InStatus(Refunding)).Code);

    [Fact]
    public void Every_event_advances_the_version_by_one()
    {
        var accepted = InStatus(Accepted);

        Assert.Equal(4, accepted.Version);
    }

    [Fact]
    public void The_error_message_names_the_command_and_the_current_state()
    {
        var error = Refused(new StartService(Worker, Start), InStatus(Dispatching));

        Assert.Equal("Cannot StartService an order in state Dispatching (not-allowed-in-state).", error.Message);
    }
}
