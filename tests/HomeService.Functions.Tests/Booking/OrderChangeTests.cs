using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class OrderChangeTests(BookingFactory factory)
{
    [Fact]
    public async Task Cancelling_before_acceptance_is_free_releases_the_time_at_once_and_repeats_are_harmless()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var start = world.At(1, 10);
        var order = await world.BookOkAsync(customer, start, worker.Id);

        var cancelled = await (await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "plans changed" }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<OrderView>();
        var again = await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "plans changed" });

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal(0, cancelled.Cancellation!.FeeFen);
        await again.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Empty((await world.CalendarAsync(worker.Id)).Reservations);
        var rebooked = await world.BookOkAsync(await world.CustomerAsync(), start, worker.Id);
        Assert.Equal(worker.Id, rebooked.WorkerId);
    }

    [Fact]
    public async Task Cancelling_an_accepted_order_inside_the_fee_window_charges_the_city_fee_and_refunds_the_rest()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id); // 24 h ahead: inside the default 24 h window
        await DriveAsync(order.Id, s => new ConfirmPayment("pay-1", s.PriceTotalFen, Now), _ => new Offer(worker.Id, 1, Now), _ => new Accept(worker.Id, Now));

        var cancelled = await (await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<OrderView>();

        Assert.Equal(10_500, order.Price.TotalFen);
        Assert.Equal(OrderStatus.Refunding, cancelled.Status);
        Assert.Equal((2_100, 8_400, "inside_fee_window"), (cancelled.Cancellation!.FeeFen, cancelled.Cancellation.RefundFen, cancelled.Cancellation.Reason));
        Assert.Empty((await world.CalendarAsync(worker.Id)).Reservations);
    }

    [Fact]
    public async Task Cancelling_after_the_worker_started_is_refused_naming_why()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id);
        await DriveAsync(order.Id, s => new ConfirmPayment("pay-2", s.PriceTotalFen, Now), _ => new Offer(worker.Id, 1, Now), _ => new Accept(worker.Id, Now),
            _ => new Arrive(worker.Id, Now), _ => new StartService(worker.Id, Now));

        var refused = await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { });

        await refused.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("cancel_not_allowed", await BookingWorld.ProblemCodeAsync(refused));
        Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
    }

    [Fact]
    public async Task Rescheduling_moves_the_one_reservation_and_a_refused_move_keeps_the_old_slot()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 9), worker.Id);
        var blocker = await world.BookOkAsync(await world.CustomerAsync(), world.At(1, 15), worker.Id);

        var moved = await (await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/reschedule", new { start = world.At(1, 12) }, ApiClient.Json))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<OrderView>();
        Assert.Equal(world.At(1, 12), moved.Start);
        Assert.Equal(world.At(1, 14), moved.End);
        Assert.False(moved.RescheduleInProgress);
        var stored = (await world.Db.Orders.ReadItemAsync<OrderDocument>(order.Id, new Microsoft.Azure.Cosmos.PartitionKey(order.Id))).Resource;
        var rescheduled = Assert.Single(stored.History.OfType<HomeService.Domain.Orders.OrderRescheduled>());
        Assert.Equal((world.At(1, 9), world.At(1, 12)), (rescheduled.FromStart, rescheduled.NewStart));
        Assert.Equal(world.At(1, 12), stored.State.ScheduledStart);

        var refused = await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/reschedule", new { start = world.At(1, 14) }, ApiClient.Json);
        await refused.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("slot_taken", await BookingWorld.ProblemCodeAsync(refused));
        var outside = await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/reschedule", new { start = world.At(1, 21) }, ApiClient.Json);
        Assert.Equal("outside_working_hours", await BookingWorld.ProblemCodeAsync(outside));

        var after = await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).ReadAsync<OrderView>();
        Assert.Equal(world.At(1, 12), after.Start);
        var calendar = await world.CalendarAsync(worker.Id);
        Assert.Equal([(order.Id, world.At(1, 12)), (blocker.Id, world.At(1, 15))], calendar.Reservations.Select(r => (r.OrderId, r.Start)));
        // The old 09:00 slot is free again.
        await world.BookOkAsync(await world.CustomerAsync(), world.At(1, 9), worker.Id);
    }

    [Fact]
    public async Task Concurrent_reschedules_of_one_order_leave_it_exactly_one_reservation_matching_the_order()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 8), worker.Id);

        var targets = new[] { 10, 12, 14, 16 }.Select(h => world.At(1, h)).ToArray();
        var responses = await Task.WhenAll(targets.Select(t =>
            customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/reschedule", new { start = t }, ApiClient.Json)));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var entry = Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
        var final = await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).ReadAsync<OrderView>();
        Assert.Equal(entry.Start, final.Start);
        Assert.Contains(final.Start, targets);
    }

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    /// <summary>Moves an order on through the decider, as the lifecycle feature will (payment, dispatch, acceptance…).</summary>
    private async Task DriveAsync(string orderId, params Func<OrderState, OrderCommand>[] commands)
    {
        var db = new BookingWorld(factory).Db;
        var order = (await db.Orders.ReadItemAsync<OrderDocument>(orderId, new PartitionKey(orderId))).Resource;
        foreach (var command in commands)
        {
            var decision = OrderDecider.Decide(command(order.State), order.State);
            Assert.Null(decision.Error);
            order = order.Apply(decision.Events, factory.Clock.GetUtcNow());
        }

        await db.Orders.ReplaceItemAsync(order with { ETag = null }, orderId, new PartitionKey(orderId), new ItemRequestOptions { IfMatchEtag = order.ETag });
    }
}
