using HomeService.Domain.Orders;
using static HomeService.Domain.Orders.OrderStatus;

namespace HomeService.Domain.Tests.Orders;

/// <summary>What the order's orchestration does next, decided from the order alone.</summary>
public sealed class LifecyclePlannerTests
{
    [Fact]
    public void An_unpaid_order_waits_for_its_payment_deadline_and_at_it_fires_the_payment_timeout()
    {
        var order = Given.Placed();
        var due = order.DeadlineOf(TimerKind.PaymentTimeout)!;

        Assert.Equal(new LifecyclePlan(LifecycleMove.Wait, due), LifecyclePlanner.Next(order, Given.T0));
        Assert.Equal(new LifecyclePlan(LifecycleMove.Fire, due), LifecyclePlanner.Next(order, due.DueAt));
        Assert.IsType<PaymentTimedOut>(LifecyclePlanner.CommandFor(due, order, due.DueAt));
    }

    [Fact]
    public void A_paid_order_without_an_offer_is_offered_after_the_round_it_is_in_but_a_grab_pool_order_is_not()
    {
        Assert.Equal(new LifecyclePlan(LifecycleMove.Offer, OfferRound: 0), LifecyclePlanner.Next(Given.InStatus(Dispatching), Given.PaidAt));

        var pool = Given.InStatus(Dispatching, DispatchMode.GrabPool);
        var expiry = pool.DeadlineOf(TimerKind.GrabPoolExpiry)!;
        Assert.Equal(new LifecyclePlan(LifecycleMove.Wait, expiry), LifecyclePlanner.Next(pool, Given.PaidAt));
        Assert.IsType<GrabPoolExpired>(LifecyclePlanner.CommandFor(expiry, pool, expiry.DueAt));
    }

    [Fact]
    public void An_expired_offer_expires_before_anything_else_and_names_the_offered_worker_and_round()
    {
        var offered = Given.InStatus(Offered);
        var acceptance = offered.DeadlineOf(TimerKind.OfferAcceptance)!;

        Assert.Equal(new LifecyclePlan(LifecycleMove.Fire, acceptance), LifecyclePlanner.Next(offered, acceptance.DueAt.AddSeconds(1)));
        Assert.Equal(new OfferTimedOut(Given.Worker, 1, acceptance.DueAt), LifecyclePlanner.CommandFor(acceptance, offered, acceptance.DueAt));
    }

    [Fact]
    public void The_closed_complaint_window_makes_settlement_due_and_then_the_settle_move()
    {
        var confirmed = Given.InStatus(Confirmed);
        var window = confirmed.DeadlineOf(TimerKind.SettlementDue)!;
        Assert.Equal(new LifecyclePlan(LifecycleMove.Fire, window), LifecyclePlanner.Next(confirmed, window.DueAt));

        var due = confirmed.Then(new SettlementDue(window.DueAt));
        Assert.Equal(new LifecyclePlan(LifecycleMove.Settle), LifecyclePlanner.Next(due, window.DueAt));

        // A partial refund of a served order makes what is left due at once.
        var partly = Given.PartiallyRefunded();
        var remainder = partly.DeadlineOf(TimerKind.SettlementDue)!;
        Assert.Equal(new LifecyclePlan(LifecycleMove.Fire, remainder), LifecyclePlanner.Next(partly, remainder.DueAt));
        Assert.Equal(new LifecyclePlan(LifecycleMove.Settle), LifecyclePlanner.Next(partly.Then(new SettlementDue(remainder.DueAt)), remainder.DueAt));
    }

    [Theory]
    [InlineData(Settled)]
    [InlineData(Closed)]
    [InlineData(Cancelled)]
    [InlineData(Refunded)]
    public void An_order_over_with_nothing_pending_is_finished(OrderStatus status)
    {
        var order = Given.InStatus(status);

        Assert.True(LifecyclePlanner.IsFinished(order));
        Assert.Equal(LifecycleMove.Finish, LifecyclePlanner.Next(order, Given.SettlementDueAt.AddDays(30)).Move);
    }

    [Theory]
    [InlineData(ManualDispatch)]
    [InlineData(Refunding)]
    [InlineData(AfterSale)]
    public void An_order_waiting_for_people_waits_for_a_change_with_no_deadline(OrderStatus status)
    {
        var order = Given.InStatus(status);

        Assert.False(LifecyclePlanner.IsFinished(order));
        Assert.Equal(new LifecyclePlan(LifecycleMove.Wait), LifecyclePlanner.Next(order, Given.ConfirmedAt.AddHours(5)));
    }

    [Fact]
    public void A_late_payment_on_a_closed_order_is_not_finished_until_it_is_refunded()
    {
        var late = Given.InStatus(Closed).Then(new ConfirmPayment("pay-late", Given.Price, Given.T0.AddMinutes(20)));

        Assert.Equal(Refunding, late.Status);
        Assert.False(LifecyclePlanner.IsFinished(late));
        Assert.True(LifecyclePlanner.IsFinished(late.Then(new RefundSucceeded("r-late", Given.Price, Given.T0.AddMinutes(30)))));
    }

    [Fact]
    public void A_deadline_the_orchestration_could_not_act_on_is_left_out_and_the_next_one_is_waited_for()
    {
        var accepted = Given.InStatus(Accepted);
        var reminders = accepted.Deadlines.OrderBy(d => d.DueAt).ToArray();

        var plan = LifecyclePlanner.Next(accepted, reminders[0].DueAt, skip: [reminders[0]]);

        Assert.Equal(new LifecyclePlan(LifecycleMove.Wait, reminders[1]), plan);
    }

    [Fact]
    public void A_timer_the_order_no_longer_holds_stands_for_no_command()
    {
        var accepted = Given.InStatus(Accepted);
        var formerAcceptance = Given.InStatus(Offered).DeadlineOf(TimerKind.OfferAcceptance)!;

        Assert.Null(LifecyclePlanner.CommandFor(formerAcceptance, accepted, formerAcceptance.DueAt));
    }

    [Fact]
    public void Phases_group_the_statuses_the_orchestration_starts_a_fresh_history_between()
    {
        Assert.Equal(LifecyclePhase.Payment, LifecyclePlanner.PhaseOf(PendingPayment));
        Assert.All([Dispatching, Offered, ManualDispatch], s => Assert.Equal(LifecyclePhase.Dispatch, LifecyclePlanner.PhaseOf(s)));
        Assert.All([Accepted, OnTheWay, Arrived, InService], s => Assert.Equal(LifecyclePhase.Service, LifecyclePlanner.PhaseOf(s)));
        Assert.All([Completed, AfterSale, Confirmed], s => Assert.Equal(LifecyclePhase.Confirmation, LifecyclePlanner.PhaseOf(s)));
        Assert.All([Settled, Closed, Cancelled, Refunding, Refunded], s => Assert.Equal(LifecyclePhase.Closing, LifecyclePlanner.PhaseOf(s)));
    }
}
