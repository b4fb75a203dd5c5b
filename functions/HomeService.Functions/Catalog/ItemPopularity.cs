using System.Net;
using HomeService.Domain.Catalog;
using HomeService.Functions.Booking;
using Microsoft.Azure.Functions.Worker;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Catalog;

/// <summary>
/// The popularity of a service item (the "popularity" browse sort): how many of its orders placed in the last
/// <see cref="Window"/> were paid and not since cancelled or refunded in full. Recomputed by a daily timer rather than raised
/// per event, so a redelivered event cannot count twice, lapsed demand decays, and an item's ETag (which admins edit
/// against) changes at most once a day.
/// </summary>
public sealed class ItemPopularity(CosmosDb db, CatalogStore catalog, TimeProvider time, ILogger<ItemPopularity> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>What popularity needs of one order.</summary>
    private sealed record OrderDemandRow(string Id, string ItemId, long PaidFen, long RefundedFen, long RefundPendingFen, System.Text.Json.JsonElement? Cancellation)
    {
        /// <summary>Paid, not cancelled by the customer, and not (being) refunded in full (a partial after-sale refund still counts).</summary>
        public bool Counts => PaidFen > 0 && Cancellation is not { ValueKind: not System.Text.Json.JsonValueKind.Null } && PaidFen > RefundedFen + RefundPendingFen;
    }

    private sealed record ReviewScoreRow(string Id, string ItemId, int Overall);

    /// <summary>Sets every item's popularity from its recent orders and its rating from its reviews; returns how many items changed.</summary>
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        var since = time.GetUtcNow() - Window;
        // A projection of a few fields per paid order: the local server has no GROUP BY, so the counting happens here.
        // Keyset pages by id: 30 days of a city's orders are many query pages.
        var counts = (await db.Orders.QueryAllByKeyAsync<OrderDemandRow>(
                "c.id, c.itemId, c.state.paidFen, c.state.refundedFen, c.state.refundPendingFen, c.cancellation",
                "c.type = @order AND c.createdAt >= @since AND c.state.paidFen > 0",
                new Dictionary<string, object> { ["@order"] = OrderDocument.Kind, ["@since"] = since }, "id", r => r.Id, ct))
            .Where(r => r.Counts)
            .GroupBy(r => r.ItemId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

        // Ratings from every review (a review is on its order and never edited): mean overall score per item.
        var ratings = (await db.Orders.QueryAllByKeyAsync<ReviewScoreRow>("c.id, c.itemId, c.review.overall",
                "c.type = @order AND c.review.overall >= 1", new Dictionary<string, object> { ["@order"] = OrderDocument.Kind }, "id", r => r.Id, ct))
            .GroupBy(r => r.ItemId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Math.Round(g.Average(r => r.Overall), 2), g.Count()), StringComparer.Ordinal);

        var items = await catalog.QueryAsync<ItemDocument>(ItemDocument.Kind, CatalogStore.Query(ItemDocument.Kind), ct);
        var changed = 0;
        foreach (var item in items)
        {
            if (await SetAsync(item.Id, counts.GetValueOrDefault(item.Id), ratings.GetValueOrDefault(item.Id), ct))
            {
                changed++;
            }
        }

        logger.LogInformation("Item popularity refreshed from {Orders} orders since {Since}: {Changed} of {Items} items changed",
            counts.Values.Sum(), since, changed, items.Count);
        return changed;
    }

    /// <summary>ETag-conditional, re-read on a lost race (an admin edit in between keeps its changes).</summary>
    private async Task<bool> SetAsync(string id, long popularity, (double Average, int Count) rating, CancellationToken ct)
    {
        while (true)
        {
            var current = await catalog.FindAsync<ItemDocument>(ItemDocument.Kind, id, ct);
            var searchText = current?.Document.CurrentSearchText();
            if (current is null || (current.Document.Popularity == popularity && current.Document.SearchText == searchText &&
                                    current.Document.RatingAverage == rating.Average && current.Document.RatingCount == rating.Count))
            {
                return false;
            }

            try
            {
                // The search text is rewritten too when its format changed (whole-term keyword search).
                var next = current.Document with
                {
                    Popularity = popularity, PopularityKey = SortKeys.Popularity(popularity, id), SearchText = searchText,
                    RatingAverage = rating.Average, RatingCount = rating.Count,
                };
                await catalog.ReplaceAsync(ItemDocument.Kind, id, next, current.ETag, ct);
                return true;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile: apply the count to the current version.
            }
        }
    }
}

/// <summary>Daily timer (03:30 UTC, after midnight in China) that recomputes <see cref="ItemPopularity"/>.</summary>
public sealed class ItemPopularityFunction(ItemPopularity popularity)
{
    public const string Name = "RefreshItemPopularity";
    public const string Schedule = "0 30 3 * * *";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken ct)
    {
        var changed = await popularity.RefreshAsync(ct);
        return $"Popularity of {changed} items changed";
    }
}
