using HomeService.Domain.Orders;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Orders;

/// <summary>
/// The order orchestrator's timing on the Durable Task engine (in memory, DurableTaskTestHost's shape) with the clock
/// advanced by the test: deadlines minutes and days apart take milliseconds, never a real wait.
/// </summary>
public sealed class OrderOrchestrationTimingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private OrchestrationTestHost _host = null!;

    public async Task InitializeAsync() => _host = await OrchestrationTestHost.StartAsync(Monday);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_unpaid_order_is_closed_at_its_payment_deadline_and_not_a_minute_before()
    {
        await _host.PlaceAsync("o-unpaid");
        var waiting = await _host.SettleAsync("o-unpaid");
        Assert.Equal((nameof(TimerKind.PaymentTimeout), Monday.AddMinutes(15)), (waiting!.WaitingFor, waiting.Until));

        await _host.AdvanceAsync(TimeSpan.FromMinutes(14), "o-unpaid");
        Assert.Equal(OrderStatus.PendingPayment, _host.Orders.State("o-unpaid").Status);

        var finished = await _host.AdvanceAsync(TimeSpan.FromMinutes(1), "o-unpaid");

        Assert.Equal(OrderStatus.Closed, _host.Orders.State("o-unpaid").Status);
        Assert.Null(finished);
        Assert.All(_host.Orders.Reactions.Where(r => r.Key.OrderId == "o-unpaid"), r => Assert.Equal(1, r.Value));
        Assert.Equal(2, _host.Orders.Reactions.Count(r => r.Key.OrderId == "o-unpaid"));
    }

    [Fact]
    public async Task Offers_that_nobody_accepts_go_round_by_round_every_acceptance_timeout_and_then_to_manual_dispatch()
    {
        await _host.PlaceAsync("o-rounds");
        await _host.SettleAsync("o-rounds");
        await _host.CommandAsync("o-rounds", (s, now) => new ConfirmPayment("pay", s.PriceTotalFen, now));
        var offered = await _host.SettleAsync("o-rounds");
        Assert.Equal((nameof(TimerKind.OfferAcceptance), Monday.AddMinutes(5)), (offered!.WaitingFor, offered.Until));

        await _host.AdvanceAsync(TimeSpan.FromMinutes(5), "o-rounds");
        Assert.Equal((OrderStatus.Offered, 2), (_host.Orders.State("o-rounds").Status, _host.Orders.State("o-rounds").OfferRound));
        await _host.AdvanceAsync(TimeSpan.FromMinutes(5), "o-rounds");
        var manual = await _host.AdvanceAsync(TimeSpan.FromMinutes(5), "o-rounds");

        Assert.Equal(OrderStatus.ManualDispatch, _host.Orders.State("o-rounds").Status);
        Assert.Equal(["w-1", "w-2", "w-3"], _host.Orders.Offers);
        // Nothing is due in manual dispatch: it waits for an admin, rechecking every hour.
        Assert.Equal(("change", Monday.AddMinutes(15) + OrderOrchestrator.Recheck), (manual!.WaitingFor, manual.Until));
    }

    [Fact]
    public async Task An_accepted_order_reminds_at_T_minus_24_and_2_hours_confirms_itself_a_day_after_completion_and_settles_after_the_complaint_window()
    {
        var start = Monday.AddDays(3);
        await _host.PlaceAsync("o-visit", start: start);
        await _host.SettleAsync("o-visit");
        await _host.CommandAsync("o-visit", (s, now) => new ConfirmPayment("pay", s.PriceTotalFen, now));
        await _host.SettleAsync("o-visit");
        await _host.CommandAsync("o-visit", (_, now) => new Accept("w-1", now));
        await _host.SettleAsync("o-visit");

        // Two days and 22 hours later: the day-before reminder is out, the two-hour one not yet.
        await _host.AdvanceAsync(start - TimeSpan.FromHours(24) - Monday, "o-visit");
        Assert.Single(_host.Orders.History("o-visit").OfType<ReminderDue>());
        var second = await _host.AdvanceAsync(TimeSpan.FromHours(22) - TimeSpan.FromMinutes(1), "o-visit");
        Assert.Equal((nameof(TimerKind.ReminderT2h), start - TimeSpan.FromHours(2)), (second!.WaitingFor, second.Until));
        await _host.AdvanceAsync(TimeSpan.FromMinutes(1), "o-visit");
        Assert.Equal([ReminderKind.T24h, ReminderKind.T2h], _host.Orders.History("o-visit").OfType<ReminderDue>().Select(r => r.Kind));

        await _host.CommandAsync("o-visit", (_, now) => new Arrive("w-1", now));
        await _host.CommandAsync("o-visit", (_, now) => new StartService("w-1", now));
        await _host.CommandAsync("o-visit", (_, now) => new Complete("w-1", [], null, now));
        var completed = await _host.SettleAsync("o-visit");
        // A day away is beyond the hourly recheck: it looks at the order every hour until then.
        Assert.Equal("change", completed!.WaitingFor);
        Assert.NotNull(_host.Orders.State("o-visit").DeadlineOf(TimerKind.AutoConfirm));

        await _host.AdvanceAsync(TimeSpan.FromHours(24), "o-visit");
        Assert.Equal(OrderStatus.Confirmed, _host.Orders.State("o-visit").Status);
        await _host.AdvanceAsync(TimeSpan.FromHours(71), "o-visit");
        Assert.Equal(OrderStatus.Confirmed, _host.Orders.State("o-visit").Status);
        var over = await _host.AdvanceAsync(TimeSpan.FromHours(1), "o-visit");

        Assert.Equal(OrderStatus.Settled, _host.Orders.State("o-visit").Status);
        Assert.Null(over);
        Assert.All(_host.Orders.Reactions.Where(r => r.Key.OrderId == "o-visit"), r => Assert.Equal(1, r.Value));
        Assert.Equal(_host.Orders.HistoryCount("o-visit"), _host.Orders.Reactions.Count(r => r.Key.OrderId == "o-visit"));
    }

    [Fact]
    public async Task A_rescheduled_order_moves_its_reminders_with_it()
    {
        var start = Monday.AddDays(3);
        await _host.PlaceAsync("o-moved", start: start);
        await _host.SettleAsync("o-moved");
        await _host.CommandAsync("o-moved", (s, now) => new ConfirmPayment("pay", s.PriceTotalFen, now));
        await _host.SettleAsync("o-moved");
        await _host.CommandAsync("o-moved", (_, now) => new Accept("w-1", now));
        await _host.SettleAsync("o-moved");

        var later = start.AddDays(2);
        await _host.CommandAsync("o-moved", (_, now) => new Reschedule(new Actor(ActorRole.Customer, "c-1"), later, later.AddHours(2), now));
        await _host.SettleAsync("o-moved");

        // Where the first reminder was due, nothing happens now; it comes a day before the new start.
        await _host.AdvanceAsync(start - TimeSpan.FromHours(24) - Monday, "o-moved");
        Assert.Empty(_host.Orders.History("o-moved").OfType<ReminderDue>());
        await _host.AdvanceAsync(TimeSpan.FromDays(2), "o-moved");
        Assert.Single(_host.Orders.History("o-moved").OfType<ReminderDue>());
    }
}
