using System.Net;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Customers;

public sealed record FavoriteDocument(string Id, string UserId, string Type, string Kind, string TargetId, DateTimeOffset CreatedAt)
{
    /// <summary>Unique, time-ordered key for keyset paging (newest first).</summary>
    public string SortKey => CosmosExtensions.TimeSortKey(CreatedAt, Id);

    public static string IdFor(string kind, string targetId) => $"fav:{kind}:{targetId}";
}

public sealed record FavoriteView(string Kind, string TargetId, DateTimeOffset CreatedAt);

public sealed record HistoryView(string ItemId, DateTimeOffset ViewedAt);

/// <summary>Favorites (service items, workers) and browsing history, in the customer's own partition.</summary>
public static class FavoriteEndpoints
{
    private static readonly string[] Kinds = ["item", "worker"];

    public static RouteGroupBuilder MapFavoriteAndHistoryEndpoints(this RouteGroupBuilder customer)
    {
        var favorites = customer.MapGroup("/favorites").WithTags("Customer favorites");

        favorites.MapGet("/", async Task<Ok<Page<FavoriteView>>> (string? kind, string? continuationToken, int? pageSize, HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            new Validator()
                .Check(kind is null || Kinds.Contains(kind), "kind", "invalid")
                .PageSize(pageSize)
                .ThrowIfInvalid();
            var userId = http.User.UserId();
            var where = "c.userId = @u AND c.type = 'favorite'" + (kind is null ? "" : " AND c.kind = @k");
            var page = await db.Profiles.KeysetPageAsync<FavoriteDocument>(userId, where,
                new Dictionary<string, object?> { ["@u"] = userId, ["@k"] = kind }, "sortKey", descending: true, f => f.SortKey,
                ContinuationTokens.Fingerprint("favorites", userId, kind), continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<FavoriteView>(page.Items.Select(f => new FavoriteView(f.Kind, f.TargetId, f.CreatedAt)).ToArray(), page.ContinuationToken));
        }).WithSummary("My favorites, newest first (continuation paging)");

        favorites.MapPut("/{kind}/{targetId}", async Task<Ok<FavoriteView>> (string kind, string targetId, HttpContext http, CosmosDb db, TimeProvider time, CancellationToken ct) =>
        {
            new Validator().Check(Kinds.Contains(kind), "kind", "invalid").Required("targetId", targetId, 64).ThrowIfInvalid();
            var exists = kind == "item"
                ? await db.Catalog.ReadOrNullAsync<JsonElement>(targetId, "item", ct) is not null
                : await db.Workers.ReadOrNullAsync<JsonElement>(targetId, targetId, ct) is not null;
            if (!exists)
            {
                throw new NotFoundException(kind == "item" ? "res.item" : "res.worker", targetId);
            }

            var userId = http.User.UserId();
            var document = new FavoriteDocument(FavoriteDocument.IdFor(kind, targetId), userId, "favorite", kind, targetId, time.GetUtcNow());
            try
            {
                await db.Profiles.CreateItemAsync(document, new PartitionKey(userId), cancellationToken: ct);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Already a favorite: adding again is a no-op that answers the existing entry.
                document = (await db.Profiles.ReadItemAsync<FavoriteDocument>(document.Id, new PartitionKey(userId), cancellationToken: ct)).Resource;
            }

            return TypedResults.Ok(new FavoriteView(document.Kind, document.TargetId, document.CreatedAt));
        }).WithSummary("Add a favorite (idempotent)");

        favorites.MapDelete("/{kind}/{targetId}", async Task<NoContent> (string kind, string targetId, HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            new Validator().Check(Kinds.Contains(kind), "kind", "invalid").ThrowIfInvalid();
            var userId = http.User.UserId();
            try
            {
                await db.Profiles.DeleteItemAsync<FavoriteDocument>(FavoriteDocument.IdFor(kind, targetId), new PartitionKey(userId), cancellationToken: ct);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Removing what is not there leaves the same state: idempotent.
            }

            return TypedResults.NoContent();
        }).WithSummary("Remove a favorite (idempotent)");

        var history = customer.MapGroup("/history").WithTags("Customer history");

        history.MapGet("/", async Task<Ok<Page<HistoryView>>> (string? continuationToken, int? pageSize, HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var userId = http.User.UserId();
            var page = await db.Profiles.KeysetPageAsync<HistoryDocument>(userId, "c.userId = @u AND c.type = 'history'",
                new Dictionary<string, object?> { ["@u"] = userId }, "sortKey", descending: true, h => h.SortKey,
                ContinuationTokens.Fingerprint("history", userId), continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<HistoryView>(page.Items.Select(h => new HistoryView(h.ItemId, h.ViewedAt)).ToArray(), page.ContinuationToken));
        }).WithSummary("Items I viewed, most recent first");

        history.MapDelete("/", async Task<NoContent> (HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            var userId = http.User.UserId();
            var query = new QueryDefinition("SELECT c.id FROM c WHERE c.userId = @u AND c.type = 'history'").WithParameter("@u", userId);
            foreach (var entry in await db.Profiles.QueryAllAsync<JsonElement>(query, userId, ct))
            {
                try
                {
                    await db.Profiles.DeleteItemAsync<JsonElement>(entry.GetProperty("id").GetString()!, new PartitionKey(userId), cancellationToken: ct);
                }
                catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    // Deleted concurrently: the outcome is the same.
                }
            }

            return TypedResults.NoContent();
        }).WithSummary("Clear my browsing history");

        return customer;
    }
}
