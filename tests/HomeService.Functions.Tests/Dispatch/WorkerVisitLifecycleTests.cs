using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Dispatch;

[Collection(DispatchCollection.Name)]
public sealed class WorkerVisitLifecycleTests(DispatchFactory factory)
{
    [Fact]
    public async Task The_worker_accepts_travels_with_live_position_completes_with_a_photo_and_the_customer_confirms()
    {
        factory.NotBehindRealTime();

        // This test follows the lifecycle, not the visit's timing (VisitIntegrityTests): the city lets the worker report the visit
        // up to two days ahead, so the visit happens right after acceptance, before any reminder is due.
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign, visit: new VisitPolicy(EarliestMinutesBeforeStart: 2 * 24 * 60));
        var door = new { latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng };
        var worker = await world.WorkerAsync(km: 0);
        var other = await world.WorkerAsync(km: 8);
        var customer = await world.CustomerAsync();
        var stranger = await world.CustomerAsync();
        var order = await world.BookAsync(customer);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        var id = order.Id;

        await (await worker.Client.PostAsync($"/api/worker/orders/{id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        // Another worker can neither see nor act on it.
        await (await other.Client.PostAsync($"/api/worker/orders/{id}/arrived", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await other.Client.PostAsJsonAsync($"/api/worker/orders/{id}/on-the-way", new { latitude = 31.2, longitude = 121.4 })).EnsureStatusAsync(HttpStatusCode.NotFound);

        var waiting = await (await customer.Client.GetAsync($"/api/customer/orders/{id}/tracking")).ReadJsonAsync();
        Assert.Equal("accepted", waiting.GetProperty("status").GetString());
        Assert.False(waiting.TryGetProperty("latitude", out _));

        // 5.56 km south of the address: 5.56 × 1.3 / 25 km/h = 17.3 → 18 minutes.
        var startAt = factory.Clock.GetUtcNow();
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/on-the-way", new { latitude = 31.1804, longitude = 121.4737 })).EnsureStatusAsync(HttpStatusCode.OK);
        var tracking = await (await (await customer.Client.GetAsync($"/api/customer/orders/{id}/tracking")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("onTheWay", tracking.GetProperty("status").GetString());
        Assert.Equal(31.1804, tracking.GetProperty("latitude").GetDouble(), 4);
        Assert.Equal(worker.Id, tracking.GetProperty("workerId").GetString());
        Assert.Equal(startAt.AddMinutes(18), tracking.GetProperty("eta").GetDateTimeOffset());
        await (await stranger.Client.GetAsync($"/api/customer/orders/{id}/tracking")).EnsureStatusAsync(HttpStatusCode.NotFound);

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/location", new { latitude = 31.2250, longitude = 121.4737 })).EnsureStatusAsync(HttpStatusCode.OK);
        var closer = await (await customer.Client.GetAsync($"/api/customer/orders/{id}/tracking")).ReadJsonAsync();
        Assert.Equal(31.2250, closer.GetProperty("latitude").GetDouble(), 4);
        Assert.Equal(factory.Clock.GetUtcNow().AddMinutes(15), closer.GetProperty("eta").GetDateTimeOffset());
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/location", new { latitude = 91, longitude = 121.4737 })).EnsureStatusAsync(HttpStatusCode.BadRequest);

        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/arrived", door)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", door)).EnsureStatusAsync(HttpStatusCode.OK);
        // A customer cannot confirm a service that is still running.
        var early = await customer.Client.PostAsync($"/api/customer/orders/{id}/confirm", null);
        Assert.Equal("not-allowed-in-state", await BookingWorld.ProblemCodeAsync(await early.EnsureStatusAsync(HttpStatusCode.Conflict)));

        var photo = await UploadFiles.UploadAsync(worker.Client, "completion-photo");
        var wrongKind = await UploadFiles.UploadAsync(worker.Client, "life-photo");
        var othersPhoto = await UploadFiles.UploadAsync(other.Client, "completion-photo");
        foreach (var bad in new[] { wrongKind, othersPhoto })
        {
            var refused = await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete", new { photoUploadIds = new[] { photo, bad }, door.latitude, door.longitude });
            Assert.Equal("unknown_reference", await BookingWorld.FieldCodeAsync(await refused.EnsureStatusAsync(HttpStatusCode.BadRequest), "photoUploadIds[1]"));
        }

        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete", new { photoUploadIds = Array.Empty<string>(), door.latitude, door.longitude })).EnsureStatusAsync(HttpStatusCode.BadRequest);
        var completed = await (await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete", new { photoUploadIds = new[] { photo }, notes = "厨房油污已清理", door.latitude, door.longitude }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.EndsWith($"/completion-photo/{photo}", Assert.Single(completed.GetProperty("completionPhotos").EnumerateArray()).GetString());

        await (await stranger.Client.PostAsync($"/api/customer/orders/{id}/confirm", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        var confirmed = await (await (await customer.Client.PostAsync($"/api/customer/orders/{id}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("status").GetString());
        await (await customer.Client.PostAsync($"/api/customer/orders/{id}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync();

        var messages = await (await customer.Client.GetAsync("/api/messages?pageSize=50")).ReadJsonAsync();
        var keys = messages.GetProperty("items").EnumerateArray().Where(m => m.GetProperty("orderId").GetString() == id).Select(m => m.GetProperty("key").GetString()).ToList();
        Assert.Equivalent(new[] { "order.placed", "order.paid", "order.accepted", "order.on-the-way", "order.arrived", "order.service-started", "order.completed" }, keys);

        // After the visit the customer may still open an after-sale request within the complaint window.
        await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{id}/after-sale", new { reason = "" })).EnsureStatusAsync(HttpStatusCode.BadRequest);
        var afterSale = await (await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{id}/after-sale", new { reason = "阳台没有打扫" }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("afterSale", afterSale.GetProperty("status").GetString());
    }
}
