using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Functions.Workers;
using Microsoft.Extensions.DependencyInjection;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Dispatch;

[Collection(DispatchCollection.Name)]
public sealed class AutoDispatchTests(DispatchFactory factory)
{
    private static readonly TimeSpan PastAcceptance = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1);

    /// <summary>Three workers at 0, 8 and 13 km: the booking holds the nearest, re-dispatch goes outwards.</summary>
    private async Task<(DispatchWorld World, TestWorker Near, TestWorker Middle, TestWorker Far, string OrderId)> PaidOrderAsync(
        DispatchMode mode = DispatchMode.AutoAssign, int maxOfferRounds = 3)
    {
        var world = await DispatchWorld.StartAsync(factory, mode, maxOfferRounds);
        var near = await world.WorkerAsync(km: 0);
        var middle = await world.WorkerAsync(km: 8);
        var far = await world.WorkerAsync(km: 13);
        var order = await world.BookAsync(await world.CustomerAsync());
        Assert.Equal(near.Id, order.WorkerId);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        return (world, near, middle, far, order.Id);
    }

    [Fact]
    public async Task Auto_assign_offers_the_held_worker_and_after_the_acceptance_timeout_the_next_candidate_whose_time_is_held_first()
    {
        var (world, near, middle, _, orderId) = await PaidOrderAsync();

        var offered = await world.OrderAsync(orderId);
        Assert.Equal((OrderStatus.Offered, near.Id, 1), (offered.Status, offered.State.OfferedToWorkerId, offered.State.OfferRound));
        var mine = await (await near.Client.GetAsync("/api/worker/orders?status=offered")).ReadJsonAsync();
        var listed = Assert.Single(mine.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetString() == orderId);
        Assert.True(listed.GetProperty("offeredToMe").GetBoolean());
        // Before accepting, the offered worker sees no point to navigate to (issue 14 #2: district and distance only).
        Assert.False(listed.TryGetProperty("navigationUrl", out _));

        await world.AdvanceAndDeliverAsync(PastAcceptance);

        var next = await world.OrderAsync(orderId);
        Assert.Equal((OrderStatus.Offered, middle.Id, 2), (next.Status, next.State.OfferedToWorkerId, next.State.OfferRound));
        Assert.Equal(middle.Id, next.Reservation.WorkerId);
        Assert.True(await world.HoldsAsync(middle.Id, orderId));
        Assert.False(await world.HoldsAsync(near.Id, orderId));

        // The first worker answers too late: the offer is gone.
        await (await near.Client.PostAsync($"/api/worker/orders/{orderId}/accept", null)).EnsureStatusAsync(HttpStatusCode.Forbidden);

        var accepted = await (await (await middle.Client.PostAsync($"/api/worker/orders/{orderId}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.StartsWith("https://uri.amap.com/navigation", accepted.GetProperty("navigationUrl").GetString());
        await world.DeliverAsync();
        var final = await world.OrderAsync(orderId);
        Assert.Equal((OrderStatus.Accepted, middle.Id), (final.Status, final.State.CurrentWorkerId));
        Assert.True(await world.HoldsAsync(middle.Id, orderId));
        Assert.False(await world.HoldsAsync(near.Id, orderId));
    }

    [Fact]
    public async Task Every_offer_outcome_is_recorded_once_on_the_worker_even_when_its_event_arrives_twice()
    {
        var (world, near, middle, _, orderId) = await PaidOrderAsync();
        await world.AdvanceAndDeliverAsync(PastAcceptance);
        await (await middle.Client.PostAsync($"/api/worker/orders/{orderId}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync();

        var workers = factory.Services.GetRequiredService<WorkerStore>();
        var lapsed = (await workers.GetAsync(near.Id, CancellationToken.None)).Offers;
        var taken = (await workers.GetAsync(middle.Id, CancellationToken.None)).Offers;

        Assert.Equal([(orderId, 1, OfferOutcome.Expired)], lapsed.Recent.Select(r => (r.OrderId, r.Round, r.Outcome)));
        Assert.Equal([(orderId, 2, OfferOutcome.Accepted)], taken.Recent.Select(r => (r.OrderId, r.Round, r.Outcome)));
        Assert.True(taken.AcceptanceRate > OfferHistory.PriorRate);
        Assert.True(lapsed.AcceptanceRate < OfferHistory.PriorRate);
    }

    [Fact]
    public async Task Between_two_otherwise_equal_workers_auto_assign_holds_the_one_who_takes_offers()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        var a = await world.WorkerAsync(km: 2);
        var b = await world.WorkerAsync(km: 2);
        // Equal scores fall back to the ordinal id; give that worker a record of letting offers lapse.
        var tieWinner = string.CompareOrdinal(a.Id, b.Id) < 0 ? a : b;
        var other = tieWinner == a ? b : a;
        var workers = factory.Services.GetRequiredService<WorkerStore>();
        var history = Enumerable.Range(0, 10).Aggregate(OfferHistory.Empty, (h, i) =>
            h.With(new OfferRecord($"ord_past_{i}", 1, OfferOutcome.Expired, world.Factory.Clock.GetUtcNow().AddDays(-1).AddMinutes(i)))!);
        await workers.ChangeAsync(tieWinner.Id, w => w with { Offers = history }, CancellationToken.None, touch: false);

        var order = await world.BookAsync(await world.CustomerAsync());

        Assert.Equal(other.Id, order.WorkerId);
    }

    [Fact]
    public async Task When_every_round_expires_the_order_waits_for_manual_dispatch_admins_are_alerted_and_an_admin_assigns_it()
    {
        var (world, near, middle, far, orderId) = await PaidOrderAsync(maxOfferRounds: 2);

        await world.AdvanceAndDeliverAsync(PastAcceptance);
        await world.AdvanceAndDeliverAsync(PastAcceptance);

        var manual = await world.OrderAsync(orderId);
        Assert.Equal(OrderStatus.ManualDispatch, manual.Status);
        Assert.Equal([near.Id, middle.Id], manual.State.DeclinedWorkerIds);
        var admin = await factory.AdminAsync();
        var alerts = await (await admin.GetAsync("/api/admin/alerts?pageSize=50")).ReadJsonAsync();
        Assert.Single(alerts.GetProperty("items").EnumerateArray(),
            a => a.GetProperty("orderId").GetString() == orderId && a.GetProperty("key").GetString() == "order.manual-dispatch");
        var queue = await ReadAllAsync(admin, "/api/admin/orders?status=ManualDispatch&pageSize=2");
        Assert.Contains(orderId, queue);

        // Someone who is not a worker of this city and item cannot be assigned.
        await (await admin.PostAsJsonAsync($"/api/admin/orders/{orderId}/assign", new { workerId = "wkr_nobody" })).EnsureStatusAsync(HttpStatusCode.BadRequest);

        var assigned = await (await (await admin.PostAsJsonAsync($"/api/admin/orders/{orderId}/assign", new { workerId = far.Id }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("accepted", assigned.GetProperty("status").GetString());
        await world.DeliverAsync();
        Assert.True(await world.HoldsAsync(far.Id, orderId));
        Assert.False(await world.HoldsAsync(middle.Id, orderId));
        Assert.False(await world.HoldsAsync(near.Id, orderId));
        Assert.DoesNotContain(orderId, await ReadAllAsync(admin, "/api/admin/orders?status=ManualDispatch&pageSize=50"));

        // Reassignment holds the new worker's time before the old one's is released.
        var reassigned = await (await (await admin.PostAsJsonAsync($"/api/admin/orders/{orderId}/reassign", new { workerId = near.Id, reason = "closer now" }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(near.Id, reassigned.GetProperty("currentWorkerId").GetString());
        await world.DeliverAsync();
        Assert.True(await world.HoldsAsync(near.Id, orderId));
        Assert.False(await world.HoldsAsync(far.Id, orderId));
    }

    [Fact]
    public async Task A_rejection_with_a_reason_offers_the_order_to_the_next_candidate_and_frees_the_rejecting_worker()
    {
        var (world, near, middle, far, orderId) = await PaidOrderAsync();

        await (await far.Client.PostAsJsonAsync($"/api/worker/orders/{orderId}/accept", new { })).EnsureStatusAsync(HttpStatusCode.NotFound);
        var noReason = await near.Client.PostAsJsonAsync($"/api/worker/orders/{orderId}/reject", new { reason = " " });
        Assert.Equal("required", await BookingWorld.FieldCodeAsync(await noReason.EnsureStatusAsync(HttpStatusCode.BadRequest), "reason"));

        await (await near.Client.PostAsJsonAsync($"/api/worker/orders/{orderId}/reject", new { reason = "van broke down" })).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync();

        var next = await world.OrderAsync(orderId);
        Assert.Equal((OrderStatus.Offered, middle.Id, 2), (next.Status, next.State.OfferedToWorkerId, next.State.OfferRound));
        Assert.Contains(next.History, e => e is OfferRejected { Reason: "van broke down" } r && r.WorkerId == near.Id);
        Assert.True(await world.HoldsAsync(middle.Id, orderId));
        Assert.False(await world.HoldsAsync(near.Id, orderId));
        // Rejecting twice changes nothing; accepting after rejecting is refused.
        await (await near.Client.PostAsJsonAsync($"/api/worker/orders/{orderId}/reject", new { reason = "van broke down" })).EnsureStatusAsync(HttpStatusCode.OK);
        var late = await near.Client.PostAsync($"/api/worker/orders/{orderId}/accept", null);
        Assert.Equal("not-offered-to-you", await BookingWorld.ProblemCodeAsync(await late.EnsureStatusAsync(HttpStatusCode.Forbidden)));
    }

    [Fact]
    public async Task The_admin_order_detail_shows_each_offers_best_candidates_with_their_score_terms()
    {
        var (world, near, middle, far, orderId) = await PaidOrderAsync();
        await (await near.Client.PostAsJsonAsync($"/api/worker/orders/{orderId}/reject", new { reason = "too far today" })).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync();

        var admin = await factory.AdminAsync();
        await (await admin.GetAsync("/api/admin/orders/ord_nobody")).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await near.Client.GetAsync($"/api/admin/orders/{orderId}")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        var detail = await (await (await admin.GetAsync($"/api/admin/orders/{orderId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var rankings = detail.GetProperty("offerRankings").EnumerateArray().ToList();
        Assert.Equal([1, 2], rankings.Select(r => r.GetProperty("round").GetInt32()));

        // Booking ranked all three (nearest first); re-dispatch ranked the two left after the rejection.
        var first = rankings[0].GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(near.Id, rankings[0].GetProperty("chosenWorkerId").GetString());
        Assert.Equal([near.Id, middle.Id, far.Id], first.Select(c => c.GetProperty("workerId").GetString()));
        var second = rankings[1].GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(middle.Id, rankings[1].GetProperty("chosenWorkerId").GetString());
        Assert.Equal([middle.Id, far.Id], second.Select(c => c.GetProperty("workerId").GetString()));

        foreach (var candidate in first.Concat(second))
        {
            var terms = candidate.GetProperty("terms");
            var sum = new[] { "travel", "rating", "load", "acceptance", "fairness" }.Sum(t => terms.GetProperty(t).GetDouble());
            Assert.Equal(candidate.GetProperty("score").GetDouble(), sum, 9);
            Assert.InRange(candidate.GetProperty("facts").GetProperty("travelMinutes").GetInt32(), 0, 60);
        }

        // The nearer worker wins on the travel term, which is what the admin sees.
        Assert.True(first[0].GetProperty("terms").GetProperty("travel").GetDouble() > first[1].GetProperty("terms").GetProperty("travel").GetDouble());
        Assert.True(first[0].GetProperty("facts").GetProperty("travelMinutes").GetInt32() < first[2].GetProperty("facts").GetProperty("travelMinutes").GetInt32());
    }

    [Fact]
    public async Task A_stale_acceptance_timer_delivered_after_acceptance_changes_nothing()
    {
        var (world, near, _, _, orderId) = await PaidOrderAsync();
        await (await near.Client.PostAsync($"/api/worker/orders/{orderId}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var accepted = await world.OrderAsync(orderId);

        await world.AdvanceAndDeliverAsync(PastAcceptance);

        var after = await world.OrderAsync(orderId);
        Assert.Equal((OrderStatus.Accepted, near.Id, 1), (after.Status, after.State.CurrentWorkerId, after.State.OfferRound));
        Assert.Equal(accepted.History.Count, after.History.Count);
        Assert.True(await world.HoldsAsync(near.Id, orderId));
    }

    [Fact]
    public async Task A_designated_order_is_offered_only_to_its_worker_and_goes_to_manual_dispatch_when_they_decline()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        _ = await world.WorkerAsync(km: 0);
        var chosen = await world.WorkerAsync(km: 8);
        var order = await world.BookAsync(await world.CustomerAsync(), workerId: chosen.Id);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        Assert.Equal((OrderStatus.Offered, chosen.Id), ((await world.OrderAsync(order.Id)).Status, (await world.OrderAsync(order.Id)).State.OfferedToWorkerId));

        await (await chosen.Client.PostAsJsonAsync($"/api/worker/orders/{order.Id}/reject", new { reason = "on leave" })).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync();

        var manual = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.ManualDispatch, 1), (manual.Status, manual.State.OfferRound));
    }

    private static async Task<List<string>> ReadAllAsync(HttpClient client, string url)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await (await (await client.GetAsync(token is null ? url : $"{url}&continuationToken={Uri.EscapeDataString(token)}"))
                .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()!));
            token = page.TryGetProperty("continuationToken", out var t) ? t.GetString() : null;
        }
        while (token is not null);
        return ids;
    }
}
