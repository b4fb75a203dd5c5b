using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>
/// Visits that really happen (issue 14 #1): a worker reports arrive, start and complete only around the booked time and at
/// the address, from a location they must send; outside the rules the answer is 409 naming the rule, and only an admin's
/// audited exemption lets an order's visit through.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class VisitIntegrityTests(DispatchFactory factory)
{
    private static readonly object Door = new { latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng };
    // Beijing, 1,067 km from the Shanghai address.
    private static readonly object FarAway = new { latitude = 39.9042, longitude = 116.4074 };

    [Fact]
    public async Task Arrive_start_and_complete_are_refused_days_before_the_booked_start_or_far_from_the_address_and_allowed_at_the_door_on_time()
    {
        factory.NotBehindRealTime();
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        var worker = await world.WorkerAsync(km: 0);
        var customer = await world.CustomerAsync();
        var order = await world.BookAsync(customer, start: world.Booking.At(13, 10));
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        var id = order.Id;
        await (await worker.Client.PostAsync($"/api/worker/orders/{id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/on-the-way", FarAway)).EnsureStatusAsync(HttpStatusCode.OK);

        // Twelve days early, from another city: the time window is the first rule broken.
        var early = await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/arrived", FarAway);
        var problem = await (await early.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal(("visit_outside_time_window", "timeWindow", "arrive"),
            (problem.GetProperty("code").GetString(), problem.GetProperty("rule").GetString(), problem.GetProperty("step").GetString()));
        Assert.Equal(order.Start.AddMinutes(-60), problem.GetProperty("allowedFrom").GetDateTimeOffset());
        Assert.Equal(order.Start.AddMinutes(180), problem.GetProperty("allowedTo").GetDateTimeOffset());
        Assert.InRange(problem.GetProperty("distanceMeters").GetInt32(), 1_060_000, 1_075_000);
        // The location is required for the visit steps.
        Assert.Equal("required", await BookingWorld.FieldCodeAsync(
            await (await worker.Client.PostAsync($"/api/worker/orders/{id}/arrived", null)).EnsureStatusAsync(HttpStatusCode.BadRequest), "latitude"));
        Assert.Equal("required", await BookingWorld.FieldCodeAsync(
            await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", new { latitude = 31.23 })).EnsureStatusAsync(HttpStatusCode.BadRequest), "longitude"));
        Assert.Equal(OrderStatus.OnTheWay, (await world.OrderAsync(id)).Status);

        // The day comes: at the booked time but from Beijing, the geofence refuses it (in the caller's language).
        factory.Clock.Advance(order.Start.AddMinutes(-20) - factory.Clock.GetUtcNow());
        await world.DeliverAsync();
        await worker.Client.SignInAgainAsync(factory);
        using var far = new HttpRequestMessage(HttpMethod.Post, $"/api/worker/orders/{id}/arrived") { Content = JsonContent.Create(FarAway) };
        far.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var farProblem = await (await (await worker.Client.SendAsync(far)).EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal(("visit_outside_geofence", 500), (farProblem.GetProperty("code").GetString(), farProblem.GetProperty("geofenceMeters").GetInt32()));
        Assert.Contains("须在 500 米范围内上报到达", farProblem.GetProperty("title").GetString());

        // 300 m from the door, inside the fence: arrived, started; completed at the end of the booked time.
        var nearby = new { latitude = BookingWorld.Center.Lat + 0.0027, longitude = BookingWorld.Center.Lng };
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/arrived", nearby)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", Door)).EnsureStatusAsync(HttpStatusCode.OK);
        // A repeat of a step already taken is harmless, wherever it is sent from.
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", FarAway)).EnsureStatusAsync(HttpStatusCode.OK);
        var photo = await UploadFiles.UploadAsync(worker.Client, "completion-photo");
        var completeFar = await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete", new { photoUploadIds = new[] { photo }, latitude = 39.9042, longitude = 116.4074 });
        Assert.Equal("visit_outside_geofence", await BookingWorld.ProblemCodeAsync(await completeFar.EnsureStatusAsync(HttpStatusCode.Conflict)));
        factory.Clock.Advance(order.End - factory.Clock.GetUtcNow());
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete",
            new { photoUploadIds = new[] { photo }, latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng })).EnsureStatusAsync(HttpStatusCode.OK);

        // The order keeps where each step was reported from.
        var history = (await world.OrderAsync(id)).History;
        Assert.InRange(history.OfType<WorkerArrived>().Single().Evidence!.DistanceMeters, 280, 320);
        Assert.Equal(0, history.OfType<ServiceStarted>().Single().Evidence!.DistanceMeters);
        Assert.Null(history.OfType<ServiceCompleted>().Single().Evidence!.ExemptedBy);
    }

    [Fact]
    public async Task Completing_hours_after_the_booked_end_is_refused()
    {
        factory.NotBehindRealTime();
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        var worker = await world.WorkerAsync(km: 0);
        var customer = await world.CustomerAsync();
        var order = await world.BookAsync(customer);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        var id = order.Id;
        await (await worker.Client.PostAsync($"/api/worker/orders/{id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        factory.Clock.Advance(order.Start - factory.Clock.GetUtcNow());
        await worker.Client.SignInAgainAsync(factory);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/arrived", Door)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/start", Door)).EnsureStatusAsync(HttpStatusCode.OK);

        // Four hours after the end is the latest; five is too late.
        factory.Clock.Advance(order.End.AddHours(5) - factory.Clock.GetUtcNow());
        var photo = await UploadFiles.UploadAsync(worker.Client, "completion-photo");
        var late = await worker.Client.PostAsJsonAsync($"/api/worker/orders/{id}/complete",
            new { photoUploadIds = new[] { photo }, latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng });
        var problem = await (await late.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal(("visit_outside_time_window", "complete"), (problem.GetProperty("code").GetString(), problem.GetProperty("step").GetString()));
        Assert.Equal(order.End.AddHours(4), problem.GetProperty("allowedTo").GetDateTimeOffset());
        Assert.Equal(OrderStatus.InService, (await world.OrderAsync(id)).Status);
    }

    [Fact]
    public async Task An_admin_exemption_lets_one_order_through_outside_the_rules_and_is_kept_on_the_order_and_in_the_audit()
    {
        factory.NotBehindRealTime();
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        var worker = await world.WorkerAsync(km: 0);
        var customer = await world.CustomerAsync();
        var order = await world.BookAsync(customer, start: world.Booking.At(13, 10));
        var other = await world.BookAsync(customer, start: world.Booking.At(13, 14));
        using var admin = await factory.AdminAsync();
        var adminId = (await (await admin.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString();

        // Before acceptance there is no visit to exempt.
        var tooSoon = await admin.PostAsJsonAsync($"/api/admin/orders/{order.Id}/visit-exemption", new { reason = "客户来电要求提前上门" });
        Assert.Equal("visit_not_in_progress", await BookingWorld.ProblemCodeAsync(await tooSoon.EnsureStatusAsync(HttpStatusCode.Conflict)));
        foreach (var o in new[] { order, other })
        {
            await world.PayAsync(o.Id);
        }

        await world.DeliverAsync();
        foreach (var o in new[] { order, other })
        {
            await (await worker.Client.PostAsync($"/api/worker/orders/{o.Id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        }

        // Only admins exempt, and only with a reason.
        await (await customer.Client.PostAsJsonAsync($"/api/admin/orders/{order.Id}/visit-exemption", new { reason = "x" })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await worker.Client.PostAsJsonAsync($"/api/admin/orders/{order.Id}/visit-exemption", new { reason = "x" })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal("required", await BookingWorld.FieldCodeAsync(
            await (await admin.PostAsJsonAsync($"/api/admin/orders/{order.Id}/visit-exemption", new { reason = " " })).EnsureStatusAsync(HttpStatusCode.BadRequest), "reason"));
        var exempted = await (await (await admin.PostAsJsonAsync($"/api/admin/orders/{order.Id}/visit-exemption", new { reason = "客户来电要求提前上门" }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal((adminId, "客户来电要求提前上门"),
            (exempted.GetProperty("visitExemption").GetProperty("adminId").GetString(), exempted.GetProperty("visitExemption").GetProperty("reason").GetString()));

        // The exempted order's visit goes through twelve days early; the other order's does not.
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{other.Id}/arrived", Door)).EnsureStatusAsync(HttpStatusCode.Conflict);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{order.Id}/arrived", FarAway)).EnsureStatusAsync(HttpStatusCode.OK);
        var evidence = (await world.OrderAsync(order.Id)).History.OfType<WorkerArrived>().Single().Evidence!;
        Assert.Equal(adminId, evidence.ExemptedBy);
        Assert.True(evidence.DistanceMeters > 1_000_000);

        var audit = await (await admin.GetAsync($"/api/admin/audit?targetId={order.Id}")).ReadJsonAsync();
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("route").GetString()!.EndsWith("/visit-exemption", StringComparison.Ordinal));
        Assert.Equal(adminId, entry.GetProperty("adminId").GetString());
        Assert.Equal("客户来电要求提前上门", JsonDocument.Parse(entry.GetProperty("body").GetString()!).RootElement.GetProperty("reason").GetString());
    }
}
