using HomeService.Domain.Common;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Infrastructure.Cosmos;
using System.Text;
using Azure;
using HomeService.Domain.Catalog;
using HomeService.Functions.Auth;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Catalog;

/// <summary>The public catalog under /api/catalog (anonymous), and the admin catalog.</summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapAdminCatalogEndpoints();
        var catalog = routes.MapGroup("/api/catalog").WithTags("Catalog").AllowAnonymous();

        catalog.MapGet("/cities", async Task<Ok<IReadOnlyList<CityView>>> (CatalogStore store, HttpContext http, CancellationToken ct) =>
        {
            var language = Language(http);
            var cities = await store.QueryAsync<CityDocument>(CityDocument.Kind,
                CatalogStore.Query(CityDocument.Kind, "c.active = true", "c.id"), ct);
            return TypedResults.Ok<IReadOnlyList<CityView>>(cities.Select(c => CityView.From(c, language)).ToList());
        }).WithSummary("Active cities");

        catalog.MapGet("/cities/{cityId}/categories", async Task<Results<Ok<IReadOnlyList<CategoryView>>, ProblemHttpResult>> (
            string cityId, CatalogStore store, HttpContext http, CancellationToken ct) =>
        {
            if (!await IsActiveCityAsync(store, cityId, ct))
            {
                return CatalogProblems.NotFound(http, CityDocument.Kind, cityId);
            }

            var language = Language(http);
            var categories = await store.AllAsync<CategoryDocument>(CategoryDocument.Kind, ct);
            var offered = (await store.QueryAsync<string>(ItemDocument.Kind,
                CatalogStore.Query(ItemDocument.Kind, "c.active = true AND ARRAY_CONTAINS(c.cityIds, @city)", select: "VALUE c.categoryId").WithParameter("@city", cityId),
                ct)).ToHashSet(StringComparer.Ordinal);
            var tree = CategoryTree.Build(categories, AdminCatalogEndpoints.Info, offered)
                .Select(node => CategoryView.From(node.Parent, language, node.Children.Select(c => CategoryView.From(c, language)).ToList()))
                .ToList();
            return TypedResults.Ok<IReadOnlyList<CategoryView>>(tree);
        }).WithSummary("The two-level category tree of what a city offers").ProducesProblem(StatusCodes.Status404NotFound);

        catalog.MapGet("/cities/{cityId}/items", BrowseItemsAsync)
            .WithSummary("Browse a city's active items: keyword, categoryId (a top-level one includes its children), minPrice/maxPrice (fen), " +
                         "minDuration/maxDuration (minutes), latitude/longitude (a point) with maxDistanceKm (served by a worker within that distance whose area covers the point), " +
                         "minRating (0..5, the mean review score of the item's orders, refreshed daily), " +
                         "sort = popularity | price_asc | price_desc | rating | distance (nearest such worker; needs the point), pageSize 1..100, continuationToken")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        catalog.MapGet("/cities/{cityId}/packages", async Task<Results<Ok<IReadOnlyList<PackageView>>, ProblemHttpResult>> (
            string cityId, CatalogStore store, HttpContext http, CancellationToken ct) =>
        {
            if (!await IsActiveCityAsync(store, cityId, ct))
            {
                return CatalogProblems.NotFound(http, CityDocument.Kind, cityId);
            }

            var language = Language(http);
            var packages = await store.QueryAsync<PackageDocument>(PackageDocument.Kind,
                CatalogStore.Query(PackageDocument.Kind, "c.active = true AND ARRAY_CONTAINS(c.cityIds, @city)", "c.id").WithParameter("@city", cityId), ct);
            var itemIds = packages.SelectMany(p => p.Items).Select(l => l.ItemId).Distinct(StringComparer.Ordinal).ToArray();
            var items = (await store.QueryAsync<ItemDocument>(ItemDocument.Kind,
                    CatalogStore.Query(ItemDocument.Kind, "ARRAY_CONTAINS(@ids, c.id)").WithParameter("@ids", itemIds), ct))
                .ToDictionary(i => i.Id, StringComparer.Ordinal);
            // A package is offered only while every item in it is active.
            var views = packages
                .Where(p => p.Items.All(l => items.TryGetValue(l.ItemId, out var item) && item.Active))
                .Select(p => new PackageView(
                    p.Id,
                    Localization.Pick(p.Name, p.Translations, language),
                    Localization.Pick(p.Description, p.DescriptionTranslations, language),
                    p.Items.Select(l => new PackageItemView(l.ItemId, Localization.Pick(items[l.ItemId].Name, items[l.ItemId].Translations, language), l.Quantity, items[l.ItemId].PriceFen)).ToList(),
                    p.PriceFen,
                    p.Items.Sum(l => items[l.ItemId].PriceFen * l.Quantity)))
                .ToList();
            return TypedResults.Ok<IReadOnlyList<PackageView>>(views);
        }).WithSummary("A city's active packages (套餐) with their items").ProducesProblem(StatusCodes.Status404NotFound);

        catalog.MapGet("/items/{id}", async Task<Results<Ok<ItemDetail>, ProblemHttpResult>> (
            string id, CatalogStore store, StorageClients storage, TimeProvider time, HttpContext http, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var item = (await store.FindAsync<ItemDocument>(ItemDocument.Kind, id, ct))?.Document;
            if (item is not { Active: true })
            {
                return CatalogProblems.NotFound(http, ItemDocument.Kind, id);
            }

            if (http.User.Identity?.IsAuthenticated == true && http.User.IsInRole(Roles.Customer))
            {
                await RecordViewAsync(storage, new BrowsingHistoryMessage(http.User.UserId(), id, time.GetUtcNow()), loggers, ct);
            }

            return TypedResults.Ok(ItemDetail.From(item, Language(http)));
        }).WithSummary("An active item's details; a signed-in customer's view is recorded in their browsing history")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return routes;
    }

    /// <summary>The query's numbers are bound (and named when they do not parse) by the framework; the rules are BrowseQuery's.</summary>
    private static async Task<Results<Ok<ItemPage>, ProblemHttpResult>> BrowseItemsAsync(
        string cityId, string? keyword, string? categoryId, long? minPrice, long? maxPrice, int? minDuration, int? maxDuration,
        string? sort, int? pageSize, string? continuationToken, double? latitude, double? longitude, double? maxDistanceKm, double? minRating,
        CatalogStore store, NearbyOffers nearby, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var (query, errors) = BrowseQuery.Parse(cityId, keyword, categoryId, minPrice, maxPrice, minDuration, maxDuration, sort, pageSize);
        foreach (var (field, code, args) in errors)
        {
            v.Add(field, code, args);
        }

        // A location (the customer's point) is needed by the distance filter and sort; both coordinates or neither.
        v.Check(latitude is null == longitude is null, latitude is null ? "latitude" : "longitude", "required")
            .Check(latitude is null || longitude is null || GeoPoint.IsValid(latitude.Value, longitude.Value), "latitude", "invalid")
            .Check(latitude is not null || (maxDistanceKm is null && query?.Sort != BrowseSort.Distance), "latitude", "required");
        if (maxDistanceKm is { } maxKm) v.Range("maxDistanceKm", maxKm, 0.1, 100);
        if (minRating is { } minR) v.Range("minRating", minR, 0, 5);
        v.ThrowIfInvalid();
        if (!await IsActiveCityAsync(store, cityId, ct))
        {
            return CatalogProblems.NotFound(http, CityDocument.Kind, cityId);
        }

        var q = query!;
        var categories = (await store.AllAsync<CategoryDocument>(CategoryDocument.Kind, ct)).Select(AdminCatalogEndpoints.Info).ToList();
        var where = new StringBuilder("c.active = true AND ARRAY_CONTAINS(c.cityIds, @city)");
        var definition = new Dictionary<string, object> { ["@city"] = cityId };
        void Where(string clause, string name, object value)
        {
            where.Append(" AND ").Append(clause);
            definition[name] = value;
        }

        if (q.Keyword is not null)
        {
            var patterns = Localization.KeywordPatterns(q.Keyword);
            if (patterns.Count == 0)
            {
                return TypedResults.Ok(new ItemPage([], null)); // only punctuation: no term to match
            }

            // Whole terms: the padded search text contains the keyword's terms between term boundaries.
            where.Append(" AND (").AppendJoin(" OR ", patterns.Select((_, i) => $"CONTAINS(CONCAT(' ', c.searchText, ' '), @keyword{i})")).Append(')');
            for (var i = 0; i < patterns.Count; i++)
            {
                definition[$"@keyword{i}"] = patterns[i];
            }
        }

        if (q.CategoryId is not null)
        {
            Where("ARRAY_CONTAINS(@categories, c.categoryId)", "@categories", CategoryTree.Scope(q.CategoryId, categories));
        }

        var hidden = CategoryTree.Hidden(categories);
        if (hidden.Count > 0)
        {
            Where("NOT ARRAY_CONTAINS(@hidden, c.categoryId)", "@hidden", hidden);
        }

        if (q.MinPriceFen is { } minP)
        {
            Where("c.priceFen >= @minPrice", "@minPrice", minP);
        }

        if (q.MaxPriceFen is { } maxP)
        {
            Where("c.priceFen <= @maxPrice", "@maxPrice", maxP);
        }

        if (q.MinDurationMinutes is { } minD)
        {
            Where("c.durationMinutes >= @minDuration", "@minDuration", minD);
        }

        if (q.MaxDurationMinutes is { } maxD)
        {
            Where("c.durationMinutes <= @maxDuration", "@maxDuration", maxD);
        }

        if (minRating is { } atLeast)
        {
            Where("c.ratingAverage >= @minRating", "@minRating", atLeast);
        }

        Dictionary<string, double>? nearest = null;
        if (latitude is { } lat && longitude is { } lng)
        {
            // Items served by at least one bookable worker within maxDistanceKm whose area covers the point.
            nearest = (await nearby.NearestByItemAsync(cityId, new GeoPoint(lat, lng), ct))
                .Where(n => maxDistanceKm is not { } km || n.Value <= km).ToDictionary(StringComparer.Ordinal);
            if (nearest.Count == 0)
            {
                return TypedResults.Ok(new ItemPage([], null));
            }

            Where("ARRAY_CONTAINS(@near, c.id)", "@near", nearest.Keys.ToArray());
        }

        var language = Language(http);
        var fingerprint = ContinuationTokens.Fingerprint("browse", cityId, q.Keyword, q.CategoryId, q.MinPriceFen, q.MaxPriceFen,
            q.MinDurationMinutes, q.MaxDurationMinutes, q.Sort, latitude, longitude, maxDistanceKm, minRating);
        ItemSummary Summary(ItemDocument i) => ItemSummary.From(i, language) with { NearestWorkerKm = nearest is null ? null : Math.Round(nearest[i.Id], 2) };
        if (q.Sort == BrowseSort.Distance)
        {
            // Ordered by a computed value: the city's matching items (a bounded catalog) are sorted here, keyset-paged on (meters, id).
            static string DistanceKey(double km, string id) => $"{(long)Math.Round(km * 1000):D10}|{id}";
            var matching = (await store.QueryAsync<ItemDocument>(ItemDocument.Kind, definition.Aggregate(
                    CatalogStore.Query(ItemDocument.Kind, where.ToString()), (d, p) => d.WithParameter(p.Key, p.Value)), ct))
                .Select(i => (Item: i, Key: DistanceKey(nearest![i.Id], i.Id))).OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
            var after = ContinuationTokens.Unwrap(continuationToken, fingerprint);
            var rest = after is null ? matching : matching.Where(x => string.CompareOrdinal(x.Key, after) > 0).ToList();
            var taken = rest.Take(q.PageSize).ToList();
            return TypedResults.Ok(new ItemPage([.. taken.Select(x => Summary(x.Item))],
                rest.Count > taken.Count ? ContinuationTokens.Wrap(taken[^1].Key, fingerprint) : null));
        }

        var (keyField, descending, keyOf) = q.Sort switch
        {
            BrowseSort.PriceAsc => ("priceKey", false, (Func<ItemDocument, string>)(i => i.PriceKey!)),
            BrowseSort.PriceDesc => ("priceKey", true, i => i.PriceKey!),
            BrowseSort.Rating => ("ratingKey", false, i => i.RatingKey),
            _ => ("popularityKey", false, i => i.PopularityKey!),
        };
        var page = await store.KeysetPageAsync(ItemDocument.Kind, where.ToString(), definition, keyField, descending, keyOf,
            fingerprint, continuationToken, q.PageSize, ct);
        return TypedResults.Ok(new ItemPage(page.Items.Select(Summary).ToList(), page.ContinuationToken));
    }

    private static async Task<bool> IsActiveCityAsync(CatalogStore store, string cityId, CancellationToken ct)
        => (await store.FindAsync<CityDocument>(CityDocument.Kind, cityId, ct))?.Document.Active == true;

    private static string Language(HttpContext http) => Messages.LanguageTag(Messages.FromRequest(http));

    /// <summary>History is a side effect of reading: a queue outage is logged, never fails the read.</summary>
    private static async Task RecordViewAsync(StorageClients storage, BrowsingHistoryMessage message, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            await BrowsingHistory.EnqueueAsync(storage, message, ct);
        }
        catch (RequestFailedException e)
        {
            loggers.CreateLogger(typeof(CatalogEndpoints)).LogWarning(e, "Browsing history of {UserId} for item {ItemId} not recorded", message.UserId, message.ItemId);
        }
    }
}
