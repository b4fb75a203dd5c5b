using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Common;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Catalog;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Dispatch;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Reviews;

[Collection(DispatchCollection.Name)]
public sealed class ReviewTests(DispatchFactory factory)
{
    private static Task<HttpResponseMessage> ReviewAsync(TestCustomer customer, string orderId, object body) =>
        customer.Client.PostAsJsonAsync($"/api/customer/orders/{orderId}/review", body);

    [Fact]
    public async Task A_confirmed_order_is_reviewed_once_and_the_workers_rating_is_recounted_from_the_reviews()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.Designated);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var first = await world.ServedOrderAsync(customer, worker, 8);
        var second = await world.ServedOrderAsync(customer, worker, 12);

        // Not before the customer has confirmed the visit.
        var early = await ReviewAsync(customer, first, new { overall = 5 });
        Assert.Equal("order_not_reviewable", (await (await early.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());
        foreach (var id in new[] { first, second })
        {
            await (await customer.Client.PostAsync($"/api/customer/orders/{id}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        }

        // Scores out of range, or none, are named.
        var bad = await (await (await ReviewAsync(customer, first, new { attitude = 6 })).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("required", bad.GetProperty("fieldCodes").GetProperty("overall")[0].GetString());
        Assert.True(bad.GetProperty("fieldCodes").TryGetProperty("attitude", out _));
        // Nobody else reviews this customer's order.
        var stranger = await world.CustomerAsync();
        await (await ReviewAsync(stranger, first, new { overall = 1 })).EnsureStatusAsync(HttpStatusCode.NotFound);

        var created = await (await (await ReviewAsync(customer, first, new { overall = 4, attitude = 5, punctuality = 3, text = "  准时，干净  " }))
            .EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        Assert.Equal(("准时，干净", 4), (created.GetProperty("text").GetString(), created.GetProperty("overall").GetInt32()));
        // The author sees which order; everyone else only an opaque review id (issue 14 #13).
        Assert.Equal(first, created.GetProperty("orderId").GetString());
        var firstReviewId = created.GetProperty("id").GetString()!;
        Assert.DoesNotContain(first, firstReviewId);
        var detail = await (await (await customer.Client.GetAsync($"/api/customer/orders/{first}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(4, detail.GetProperty("review").GetProperty("overall").GetInt32());
        var again = await ReviewAsync(customer, first, new { overall = 1 });
        Assert.Equal("already_reviewed", (await (await again.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        // Two reviews of the second order racing: one wins, the other is told it exists.
        var raced = await Task.WhenAll(ReviewAsync(customer, second, new { overall = 5, anonymous = true }), ReviewAsync(customer, second, new { overall = 1 }));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], raced.Select(r => r.StatusCode).Order());
        var winner = raced.Single(r => r.StatusCode == HttpStatusCode.Created);
        var secondReview = await winner.ReadJsonAsync();
        var secondScore = secondReview.GetProperty("overall").GetInt32();

        var rating = (await factory.Services.GetRequiredService<WorkerStore>().GetAsync(worker.Id, CancellationToken.None)).Rating;
        Assert.Equal(new RatingSummary((4 + secondScore) / 2.0, 2), rating);

        var listed = await (await (await factory.CreateClient().GetAsync($"/api/workers/{worker.Id}/reviews?pageSize=1"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var newest = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(secondReview.GetProperty("id").GetString(), newest.GetProperty("id").GetString());
        Assert.False(newest.TryGetProperty("orderId", out _));
        var next = listed.GetProperty("continuationToken").GetString();
        var older = await (await (await factory.CreateClient().GetAsync($"/api/workers/{worker.Id}/reviews?pageSize=1&continuationToken={Uri.EscapeDataString(next!)}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var oldest = Assert.Single(older.GetProperty("items").EnumerateArray());
        Assert.Equal(firstReviewId, oldest.GetProperty("id").GetString());
        Assert.False(oldest.TryGetProperty("orderId", out _));
        // The public card: the rating's breakdown (one review per star given), sub-score means of those given, the newest reviews first.
        var card = await (await (await factory.CreateClient().GetAsync($"/api/workers/{worker.Id}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var breakdown = card.GetProperty("ratingBreakdown");
        var stars = breakdown.GetProperty("stars").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal(5, stars.Length);
        Assert.Equal(secondScore == 4 ? 2 : 1, stars[3]);
        Assert.Equal(1, stars[secondScore - 1] - (secondScore == 4 ? 1 : 0));
        Assert.Equal(2, stars.Sum());
        Assert.Equal((5.0, 3.0), (breakdown.GetProperty("attitude").GetDouble(), breakdown.GetProperty("punctuality").GetDouble()));
        Assert.False(breakdown.TryGetProperty("skill", out _));
        Assert.Equal([secondReview.GetProperty("id").GetString(), firstReviewId],
            card.GetProperty("recentReviews").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Empty(card.GetProperty("verifiedCertificates").EnumerateArray());
        // The item's rating (search filter and sort) comes from its orders' reviews at the daily refresh.
        var catalog = factory.Services.GetRequiredService<CatalogStore>();
        var unrated = $"item-{Guid.NewGuid():N}"[..20];
        var template = (await catalog.GetAsync<ItemDocument>(ItemDocument.Kind, world.Booking.ItemId, CancellationToken.None)).Document;
        await catalog.UpsertAsync(ItemDocument.Kind, template with { Id = unrated, Name = "擦玻璃" }, CancellationToken.None);
        await factory.Services.GetRequiredService<ItemPopularity>().RefreshAsync(CancellationToken.None);
        var mean = Math.Round((4 + secondScore) / 2.0, 2);
        var browse = $"/api/catalog/cities/{world.CityId}/items";
        var byRating = await (await (await factory.CreateClient().GetAsync($"{browse}?sort=rating")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([world.Booking.ItemId, unrated], byRating.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal((mean, 2), (byRating.GetProperty("items")[0].GetProperty("ratingAverage").GetDouble(), byRating.GetProperty("items")[0].GetProperty("ratingCount").GetInt32()));
        var atMean = await (await (await factory.CreateClient().GetAsync($"{browse}?minRating={mean.ToString(System.Globalization.CultureInfo.InvariantCulture)}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([world.Booking.ItemId], atMean.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var above = await (await (await factory.CreateClient().GetAsync($"{browse}?minRating={(mean + 0.01).ToString(System.Globalization.CultureInfo.InvariantCulture)}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Empty(above.GetProperty("items").EnumerateArray());
        if (secondScore == 5)
        {
            // The anonymous one names nobody.
            Assert.False(newest.TryGetProperty("customerNickname", out _));
        }
    }
}
