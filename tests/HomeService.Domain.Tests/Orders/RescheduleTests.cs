using HomeService.Domain.Orders;
using static HomeService.Domain.Tests.Orders.Given;

namespace HomeService.Domain.Tests.Orders;

public sealed class RescheduleTests
{
    [Fact]
    public void Rescheduling_an_accepted_order_moves_its_reminders_to_the_new_start()
    {
        var accepted = InStatus(OrderStatus.Accepted);
        var newStart = accepted.ScheduledStart.AddDays(2);

        var result = OrderDecider.Decide(new Reschedule(Customer, newStart, newStart.AddHours(2), TripAt.AddHours(-1)), accepted);
        var after = OrderDecider.Evolve(accepted, result.Events);

        var moved = Assert.IsType<OrderRescheduled>(Assert.Single(result.Events));
        Assert.Equal((accepted.ScheduledStart, newStart), (moved.FromStart, moved.NewStart));
        Assert.Equal((OrderStatus.Accepted, newStart, newStart.AddHours(2)), (after.Status, after.ScheduledStart, after.ScheduledEnd));
        Assert.Equal(newStart - accepted.Timings.ReminderLead(ReminderKind.T24h), after.DeadlineOf(TimerKind.ReminderT24h)!.DueAt);
        Assert.Equal(newStart - accepted.Timings.ReminderLead(ReminderKind.T2h), after.DeadlineOf(TimerKind.ReminderT2h)!.DueAt);
    }

    [Fact]
    public void Rescheduling_to_the_time_the_order_already_has_changes_nothing()
    {
        var accepted = InStatus(OrderStatus.Accepted);

        var result = OrderDecider.Decide(new Reschedule(Customer, accepted.ScheduledStart, accepted.ScheduledEnd, TripAt), accepted);

        Assert.True(result.IsNoOp);
    }

    [Fact]
    public void An_order_already_on_its_way_cannot_be_rescheduled()
    {
        var onTheWay = InStatus(OrderStatus.OnTheWay);

        var result = OrderDecider.Decide(new Reschedule(Customer, onTheWay.ScheduledStart.AddDays(1), onTheWay.ScheduledEnd.AddDays(1), TripAt.AddMinutes(5)), onTheWay);

        Assert.Equal((OrderStatus.OnTheWay, OrderErrorCodes.NotAllowedInState), (result.Error!.CurrentStatus, result.Error.Code));
    }
}
