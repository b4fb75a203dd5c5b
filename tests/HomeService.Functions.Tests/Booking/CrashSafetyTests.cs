using System.Net;
using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Booking;

/// <summary>
/// A booking writes hold → order → confirm. These tests stop it between the steps by calling the stores directly
/// (as a process that died there would leave things) and check that the next booking settles what was left.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class CrashSafetyTests(BookingFactory factory)
{
    private Reservations Reservations => factory.Services.GetRequiredService<Reservations>();

    [Fact]
    public async Task A_hold_whose_order_was_never_written_blocks_the_slot_only_until_it_expires()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var start = world.At(1, 10);
        var orphan = new Reservation("ord_died_before_writing", start, start.AddMinutes(120), new GeoPoint(BookingWorld.Center.Lat, BookingWorld.Center.Lng));
        Assert.Equal(HoldOutcome.Held, await Reservations.HoldAsync(worker.Id, orphan, TravelRules.Default, 30, CancellationToken.None));
        var customer = await world.CustomerAsync();

        var whileHeld = await BookingWorld.BookAsync(customer.Client, world.Body(customer, start, worker.Id));
        factory.Clock.Advance(Reservations.HoldDuration + TimeSpan.FromSeconds(1));
        var afterExpiry = await BookingWorld.BookAsync(customer.Client, world.Body(customer, start, worker.Id));

        await whileHeld.EnsureStatusAsync(HttpStatusCode.Conflict);
        var order = await (await afterExpiry.EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
        var entry = Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
        Assert.Equal((order.Id, (DateTimeOffset?)null), (entry.OrderId, entry.HoldUntil));
    }

    /// <summary>
    /// Runs of one single booking share its order id (it comes from the Idempotency-Key). One that reaches a calendar where
    /// the order already has an entry — a hold of a run under way, or confirmed — is told so and writes nothing (renewing the
    /// hold would undo a confirm); a series' resumed run, asking without it, holds the same time again as before.
    /// </summary>
    [Fact]
    public async Task A_second_run_of_one_booking_finds_the_orders_entry_already_held_and_writes_nothing()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var start = world.At(1, 15);
        var job = new Reservation("ord_two_runs", start, start.AddMinutes(120), new GeoPoint(BookingWorld.Center.Lat, BookingWorld.Center.Lng));
        var (_, held) = await Reservations.HoldAsync(worker.Id, job, TravelRules.Default, 30, known: null, CancellationToken.None);
        Assert.True(await Reservations.ConfirmAsync(worker.Id, job, TravelRules.Default, 30, held, CancellationToken.None));
        var confirmed = await world.CalendarAsync(worker.Id);

        var (second, written) = await Reservations.HoldAsync(worker.Id, job, TravelRules.Default, 30, confirmed, CancellationToken.None, ownedByOneRun: true);

        Assert.Equal((HoldOutcome.AlreadyHeld, (HomeService.Functions.Scheduling.CalendarDocument?)null), (second, written));
        var after = await world.CalendarAsync(worker.Id);
        Assert.Equal((confirmed.ETag, (DateTimeOffset?)null), (after.ETag, Assert.Single(after.Reservations).HoldUntil));
        Assert.Equal(HoldOutcome.Held, await Reservations.HoldAsync(worker.Id, job, TravelRules.Default, 30, CancellationToken.None));
    }

    [Fact]
    public async Task A_hold_whose_order_was_written_but_not_confirmed_is_confirmed_not_dropped()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var start = world.At(1, 13);
        var order = await world.BookOkAsync(customer, start, worker.Id);
        // Put the calendar back to "held, not confirmed", as if the process died right after writing the order.
        var db = world.Db;
        var calendar = await world.CalendarAsync(worker.Id);
        var unconfirmed = calendar with { Reservations = [.. calendar.Reservations.Select(r => r with { HoldUntil = factory.Clock.GetUtcNow().AddMinutes(1) })], ETag = null };
        await db.Schedules.ReplaceItemAsync(unconfirmed, "calendar", new PartitionKey(worker.Id));
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        var other = await world.CustomerAsync();
        var clash = await BookingWorld.BookAsync(other.Client, world.Body(other, start, worker.Id));
        var elsewhere = await BookingWorld.BookAsync(other.Client, world.Body(other, world.At(1, 17), worker.Id));

        await clash.EnsureStatusAsync(HttpStatusCode.Conflict);
        await elsewhere.EnsureStatusAsync(HttpStatusCode.Created);
        var kept = (await world.CalendarAsync(worker.Id)).Reservations.Single(r => r.OrderId == order.Id);
        Assert.Null(kept.HoldUntil);
    }

    [Fact]
    public async Task A_retry_after_the_first_run_died_resumes_it_with_the_same_order_id()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(1, 9), worker.Id);
        var first = await (await (await BookingWorld.BookAsync(customer.Client, body, "dies-then-retries")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
        // Simulate: the first run had only created its idempotency record and a hold when it died.
        var db = world.Db;
        await db.Orders.DeleteItemAsync<OrderDocument>(first.Id, new PartitionKey(first.Id));
        var calendar = await world.CalendarAsync(worker.Id);
        await db.Schedules.ReplaceItemAsync(calendar with
        {
            Reservations = [.. calendar.Reservations.Select(r => r with { HoldUntil = factory.Clock.GetUtcNow().AddMinutes(2) })], ETag = null,
        }, "calendar", new PartitionKey(worker.Id));

        var records = factory.Services.GetRequiredService<IdempotencyRecords>();
        records.WaitForWinner = TimeSpan.FromMilliseconds(300);
        HttpResponseMessage tooEarly;
        try
        {
            tooEarly = await BookingWorld.BookAsync(customer.Client, body, "dies-then-retries");
        }
        finally
        {
            records.WaitForWinner = TimeSpan.FromSeconds(10);
        }

        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        Assert.Equal("request_in_progress", await BookingWorld.ProblemCodeAsync(tooEarly));

        factory.Clock.Advance(IdempotencyRecords.StaleAfter + TimeSpan.FromSeconds(1));
        var resumed = await (await (await BookingWorld.BookAsync(customer.Client, body, "dies-then-retries")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();

        Assert.Equal(first.Id, resumed.Id);
        var entry = Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
        Assert.Equal((first.Id, (DateTimeOffset?)null), (entry.OrderId, entry.HoldUntil));
    }

    [Fact]
    public async Task A_reschedule_interrupted_after_the_calendar_move_is_settled_on_the_next_read()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(2, 9), worker.Id);
        var db = world.Db;
        var stored = (await db.Orders.ReadItemAsync<OrderDocument>(order.Id, new PartitionKey(order.Id))).Resource;
        var target = world.At(2, 14);
        var moved = new Reservation(order.Id, target, target.AddMinutes(120), stored.Reservation.Location);
        // Steps 1 and 2 of a reschedule, then the process "dies" before step 3.
        await db.Orders.ReplaceItemAsync(stored with { PendingReschedule = new PendingReschedule(moved.Start, moved.End, factory.Clock.GetUtcNow()), ETag = null },
            order.Id, new PartitionKey(order.Id));
        Assert.IsType<CalendarChange.Applied>(await Reservations.MoveAsync(worker.Id, moved, TravelRules.Default, 30, CancellationToken.None));

        // Within its lease the reschedule still owns the order (it may be alive and about to finish).
        var during = await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).ReadAsync<OrderView>();
        Assert.True(during.RescheduleInProgress);
        factory.Clock.Advance(TimeSpan.FromSeconds(31));

        var read = await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).ReadAsync<OrderView>();

        Assert.Equal((target, false), (read.Start, read.RescheduleInProgress));
        var settled = (await db.Orders.ReadItemAsync<OrderDocument>(order.Id, new PartitionKey(order.Id))).Resource;
        Assert.Equal(target, settled.State.ScheduledStart);
        Assert.Single(settled.Reschedules);
        Assert.Equal(target, Assert.Single((await world.CalendarAsync(worker.Id)).Reservations).Start);
    }
}
