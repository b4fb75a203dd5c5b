using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Money;
using HomeService.Functions.Tests.PaymentFlow;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Orders;

/// <summary>
/// One order lived through over HTTP on the real emulators, the way its people would: book, pay through the
/// WeChat Pay sandbox callback, auto-dispatch, an acceptance timeout that hands it to the next worker, the visit,
/// confirmation, settlement into the worker's wallet, and a withdrawal paid by the payout timer. Every queue
/// message is delivered twice; timeouts are reached on the fake clock, never by sleeping.
/// </summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class WholeOrderTests(PaymentFlowFactory factory)
{
    private static async Task<string[]> InboxAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/messages?pageSize=50")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
        .Select(m => m.GetProperty("key").GetString()!).ToArray();

    [Fact]
    public async Task An_order_lives_from_booking_and_payment_through_a_dispatch_timeout_the_visit_and_confirmation_to_settlement_and_payout()
    {
        // Azurite checks upload SAS expiry on the real clock: the fake one must not be behind it.
        if (DateTimeOffset.UtcNow > factory.Clock.GetUtcNow())
        {
            factory.Clock.Advance(DateTimeOffset.UtcNow - factory.Clock.GetUtcNow());
        }

        var booking = await BookingWorld.StartAsync(factory, priceFen: 50_000);
        var world = new PaymentFlowWorld(factory, booking);
        var near = await booking.WorkerAsync(lat: BookingWorld.Center.Lat);
        var far = await booking.WorkerAsync(lat: BookingWorld.Center.Lat + 0.15); // ≈17 km: clearly longer travel
        var customer = await booking.CustomerAsync();

        // Book without naming a worker: the best-scoring free one (the nearer) holds the time.
        var order = await booking.BookOkAsync(customer, booking.At(1, 10));
        Assert.Equal(near.Id, order.WorkerId);

        // Pay: wx.requestPayment parameters, then the sandbox's signed TRANSACTION.SUCCESS callback.
        var pay = await PaymentFlowWorld.PayAsync(customer, order.Id);
        await (await customer.Client.PostAsync($"/api/dev/payments/{pay.PaymentReference}/succeed", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(order.Id);
        var offered = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Offered, near.Id), (offered.Status, offered.State.OfferedToWorkerId));

        // Nobody answers within the acceptance timeout: the next candidate's time is held and the order offered to them.
        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        await world.DeliverAsync(order.Id);
        var reoffered = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Offered, far.Id, 2), (reoffered.Status, reoffered.State.OfferedToWorkerId, reoffered.State.OfferRound));
        Assert.Contains((await booking.CalendarAsync(far.Id)).Reservations, r => r.OrderId == order.Id);
        Assert.DoesNotContain((await booking.CalendarAsync(near.Id)).Reservations, r => r.OrderId == order.Id);

        // The visit.
        var id = order.Id;
        await (await far.Client.PostAsync($"/api/worker/orders/{id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        // The day comes (the reminders go out); the worker sets off half an hour before the booked start.
        factory.Clock.Advance(order.Start.AddMinutes(-30) - factory.Clock.GetUtcNow());
        await world.DeliverAsync(id);
        await (await far.Client.PostAsJsonAsync($"/api/worker/orders/{id}/on-the-way", new { latitude = 31.2504, longitude = 121.4737 })).EnsureStatusAsync(HttpStatusCode.OK);
        var tracking = await (await customer.Client.GetAsync($"/api/customer/orders/{id}/tracking")).ReadJsonAsync();
        Assert.Equal("onTheWay", tracking.GetProperty("status").GetString());
        Assert.True(tracking.GetProperty("eta").GetDateTimeOffset() > factory.Clock.GetUtcNow());
        var door = new { latitude = 31.2304, longitude = 121.4737 };
        factory.Clock.Advance(TimeSpan.FromMinutes(25));
        await (await far.Client.PostAsJsonAsync($"/api/worker/orders/{id}/arrived", door)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await far.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", door)).EnsureStatusAsync(HttpStatusCode.OK);
        factory.Clock.Advance(order.End - factory.Clock.GetUtcNow());
        var photo = await UploadFiles.UploadAsync(far.Client, "completion-photo");
        await (await far.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete", new { photoUploadIds = new[] { photo }, notes = "全屋已清洁", door.latitude, door.longitude }))
            .EnsureStatusAsync(HttpStatusCode.OK);
        await (await customer.Client.PostAsync($"/api/customer/orders/{id}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(id);
        Assert.Equal(OrderStatus.Confirmed, (await world.OrderAsync(id)).Status);

        // Each step reached the message center of the people it concerns.
        Assert.Superset(
            new HashSet<string> { "order.placed", "order.paid", "order.accepted", "order.on-the-way", "order.arrived", "order.service-started", "order.completed" },
            (await InboxAsync(customer.Client)).ToHashSet());
        Assert.Superset(new HashSet<string> { "order.offered", "order.accepted", "order.confirmed" }, (await InboxAsync(far.Client)).ToHashSet());
        Assert.Superset(new HashSet<string> { "order.offered", "order.offer-expired" }, (await InboxAsync(near.Client)).ToHashSet());

        // The complaint window closes: the order is settled into the worker's wallet, the platform keeps its commission.
        factory.Clock.Advance(TimeSpan.FromHours(73));
        await world.DeliverAsync(id);
        await world.RedeliverAllAsync(id);
        Assert.Equal(OrderStatus.Settled, (await world.OrderAsync(id)).Status);
        var wallet = await far.Client.WalletAsync();
        var share = order.Price.TotalFen - (order.Price.TotalFen / 10); // default commission 10 %, rounded down
        Assert.Equal(share, wallet.AvailableFen);
        await factory.AssertLedgerBalancedAsync();

        // The worker withdraws; an admin approves; the payout timer pays it once, however often it runs.
        var card = await far.Client.AddCardAsync(MoneyApi.CardNumber());
        var withdrawal = await far.Client.RequestWithdrawalAsync(40_000, card);
        await factory.ApproveAsync(withdrawal);
        factory.AdvanceToNextPayoutTime();
        await Task.WhenAll(factory.InvokePayoutTimerAsync(), factory.InvokePayoutTimerAsync());
        await factory.InvokePayoutTimerAsync();
        Assert.Equal("paid", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(withdrawal)));
        Assert.Equal(share - 40_000, (await far.Client.WalletAsync()).AvailableFen);
        await factory.AssertLedgerBalancedAsync();
    }
}
