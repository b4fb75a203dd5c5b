using HomeService.Domain.Catalog;
using HomeService.Domain.Common;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Customers;

/// <summary>
/// A past (item, worker) pair the customer can book again. <see cref="Available"/> is false with a reason when the
/// worker no longer takes it: <c>worker_unavailable</c> (not approved or not accepting), <c>item_not_offered</c> (the
/// worker or the city dropped the item), <c>outside_service_radius</c> (the chosen address is beyond their area).
/// </summary>
public sealed record BookAgainEntry(
    string OrderId, string ItemId, string ItemName, string WorkerId, string WorkerName, double WorkerRating, DateTimeOffset LastBookedAt,
    bool Available, string? UnavailableReason);

/// <summary>An item recommended for the customer: <see cref="Reason"/> is <c>booked_category</c> or <c>browsed_category</c>.</summary>
public sealed record RecommendedItem(ItemSummary Item, string Reason);

/// <summary>
/// The customer's home feed for one city (their chosen or default address's): book again, items for them from the categories
/// they booked and browsed, and the city's popular items — both only those a worker near the address offers.
/// </summary>
public sealed record HomeFeedView(
    string CityId, string? AddressId, IReadOnlyList<BookAgainEntry> BookAgain, IReadOnlyList<RecommendedItem> ForYou, IReadOnlyList<ItemSummary> Popular);

/// <summary>What a client needs to book an earlier order again with the same worker: the worker's next free starts.</summary>
public sealed record BookAgainView(
    string OrderId, string ItemId, string ItemName, string WorkerId, string WorkerName, string AddressId, bool Available, string? UnavailableReason,
    string TimeZone, IReadOnlyList<DateTimeOffset> Slots);

/// <summary>Recommendations (SPEC §2): the home feed and "book again".</summary>
public sealed class HomeFeed(CosmosDb db, CatalogStore catalog, Addresses addresses, Candidates candidates, OrderChanges orderChanges, NearbyOffers nearby, TimeProvider time)
{
    /// <summary>How many recent orders and viewed items the feed learns from.</summary>
    public const int HistoryDepth = 50;

    /// <summary>How far ahead "book again" looks for the worker's free starts (local days, today included).</summary>
    public const int BookAgainDays = 7;

    public const int MaxSlots = 20;

    /// <summary>Orders whose visit took place: the ones worth booking again.</summary>
    private static readonly HashSet<OrderStatus> Served = [OrderStatus.Completed, OrderStatus.Confirmed, OrderStatus.Settled, OrderStatus.AfterSale];

    private sealed record PastOrder(
        string Id, string ItemId, string ItemName, Dictionary<string, string>? ItemNameTranslations, OrderStatus Status, DateTimeOffset CreatedAt,
        OrderReservation Reservation, long PaidFen);

    private sealed record Viewed(string ItemId, DateTimeOffset ViewedAt);

    public async Task<HomeFeedView> ForAsync(string userId, string? addressId, string? cityId, int size, string language, CancellationToken ct)
    {
        var address = addressId is not null
            ? await addresses.FindAsync(userId, addressId, ct) ?? throw new ValidationFailedException([new FieldError("addressId", "unknown_reference")])
            : cityId is null ? await DefaultAddressAsync(userId, ct) : null;
        var city = address?.CityId ?? cityId;
        new Validator().Check(city is not null, "addressId", "required").ThrowIfInvalid();
        if ((await catalog.FindAsync<CityDocument>(CityDocument.Kind, city!, ct))?.Document is not { Active: true })
        {
            throw new NotFoundException(CatalogStore.Resource(CityDocument.Kind), city!);
        }

        var location = address is null ? (GeoPoint?)null : new GeoPoint(address.Latitude, address.Longitude);
        var orders = await RecentOrdersAsync(userId, ct);
        var viewed = await db.Profiles.QueryAllAsync<Viewed>(new QueryDefinition(
                $"SELECT TOP {HistoryDepth} c.itemId, c.viewedAt FROM c WHERE c.userId = @u AND c.type = 'history' ORDER BY c.sortKey DESC")
            .WithParameter("@u", userId), userId, ct);
        var categories = (await catalog.AllAsync<CategoryDocument>(CategoryDocument.Kind, ct)).Select(AdminCatalogEndpoints.Info).ToList();
        var hidden = CategoryTree.Hidden(categories).ToHashSet(StringComparer.Ordinal);
        var known = await ItemsAsync([.. orders.Select(o => o.ItemId), .. viewed.Select(v => v.ItemId)], ct);
        var servedNear = location is { } point ? (await nearby.NearestByItemAsync(city!, point, ct)).Keys.ToHashSet(StringComparer.Ordinal) : null;
        bool Offered(ItemDocument i) => i.Active && i.CityIds.Contains(city!) && !hidden.Contains(i.CategoryId) && (servedNear is null || servedNear.Contains(i.Id));

        var bookAgain = await BookAgainAsync(orders, city!, location, size, language, ct);

        // Affinity per category: a paid order counts three times a view; recency breaks ties through the order of the lists.
        var affinity = new Dictionary<string, (int Score, bool Booked)>(StringComparer.Ordinal);
        foreach (var o in orders.Where(o => o.PaidFen > 0))
        {
            if (known.TryGetValue(o.ItemId, out var item))
            {
                var (score, _) = affinity.GetValueOrDefault(item.CategoryId);
                affinity[item.CategoryId] = (score + 3, true);
            }
        }

        foreach (var v in viewed)
        {
            if (known.TryGetValue(v.ItemId, out var item))
            {
                var (score, booked) = affinity.GetValueOrDefault(item.CategoryId);
                affinity[item.CategoryId] = (score + 1, booked);
            }
        }

        var forYou = new List<RecommendedItem>();
        if (affinity.Count > 0)
        {
            var inCategories = await catalog.QueryAsync<ItemDocument>(ItemDocument.Kind, CatalogStore.Query(ItemDocument.Kind,
                    "c.active = true AND ARRAY_CONTAINS(c.cityIds, @city) AND ARRAY_CONTAINS(@categories, c.categoryId)")
                .WithParameter("@city", city).WithParameter("@categories", affinity.Keys.ToArray()), ct);
            forYou = [.. inCategories.Where(Offered)
                .OrderByDescending(i => affinity[i.CategoryId].Score).ThenByDescending(i => i.Popularity).ThenBy(i => i.Id, StringComparer.Ordinal)
                .Take(size)
                .Select(i => new RecommendedItem(ItemSummary.From(i, language), affinity[i.CategoryId].Booked ? "booked_category" : "browsed_category"))];
        }

        // The most popular first (popularityKey ascends with falling popularity); read a few pages' worth for the near filter.
        var recommended = forYou.Select(r => r.Item.Id).ToHashSet(StringComparer.Ordinal);
        var popular = await catalog.QueryAsync<ItemDocument>(ItemDocument.Kind, CatalogStore.Query(ItemDocument.Kind,
                "c.active = true AND ARRAY_CONTAINS(c.cityIds, @city)", "c.popularityKey", $"TOP {Math.Min(500, size * 10)} *")
            .WithParameter("@city", city), ct);
        var popularNear = popular.Where(i => Offered(i) && !recommended.Contains(i.Id)).Take(size).Select(i => ItemSummary.From(i, language)).ToList();
        return new HomeFeedView(city!, address?.Id, bookAgain, forYou, popularNear);
    }

    /// <summary>The worker's next free starts for the item of <paramref name="orderId"/>, at its address or another of the customer's.</summary>
    public async Task<BookAgainView> BookAgainAsync(string userId, string orderId, string? addressId, CancellationToken ct, string language)
    {
        var order = await orderChanges.GetMineAsync(userId, orderId, ct);
        if (!Served.Contains(order.Status))
        {
            throw new ConflictException("order_not_rebookable", order.Status.ToString());
        }

        var workerId = order.Reservation.WorkerId;
        var worker = (await db.Workers.ReadOrNullAsync<WorkerDocument>(workerId, workerId, ct))?.Resource;
        var name = worker is null ? "" : WorkerCard.DisplayNameOf(worker.RealName);
        var chosen = addressId ?? order.AddressId;
        var item = (await catalog.FindAsync<ItemDocument>(ItemDocument.Kind, order.ItemId, ct))?.Document;
        var address = await addresses.FindAsync(userId, chosen, ct)
                      ?? throw new ValidationFailedException([new FieldError("addressId", "unknown_reference")]);
        var reason = Unavailable(worker, item, address.CityId, new GeoPoint(address.Latitude, address.Longitude));
        if (reason is not null)
        {
            return new BookAgainView(order.Id, order.ItemId, order.ItemNameIn(language), workerId, name, chosen, false, reason, "", []);
        }

        var request = await candidates.ResolveAsync(userId, order.ItemId, chosen, ct);
        var now = time.GetUtcNow();
        var zone = request.Settings.Zone;
        var today = DateOnly.FromDateTime(ZoneTime.ToLocal(now, zone));
        var found = await candidates.ForAsync(request, workerId, now, ct);
        var result = AvailabilityCalculator.Find(new AvailabilityQuery(request.Spec, request.Location, today, today.AddDays(BookAgainDays - 1), workerId, now,
            zone, request.Settings.Availability), [.. found.Select(c => c.Domain)]);
        return new BookAgainView(order.Id, order.ItemId, order.ItemNameIn(language), workerId, name, chosen, true, null, zone.Id,
            [.. result.Slots.Take(MaxSlots).Select(s => s.Start)]);
    }

    private async Task<AddressDocument?> DefaultAddressAsync(string userId, CancellationToken ct)
    {
        var mine = await addresses.ListAsync(userId, ct);
        var chosen = mine.FirstOrDefault(a => a.IsDefault) ?? mine.FirstOrDefault();
        return chosen is null ? null : await addresses.FindAsync(userId, chosen.Id, ct);
    }

    /// <summary>The customer's newest orders, a projection (no full documents): cross-partition, scoped by the customer in the text.</summary>
    private Task<List<PastOrder>> RecentOrdersAsync(string userId, CancellationToken ct) =>
        db.Orders.QueryAllAsync<PastOrder>(new QueryDefinition(
                $"SELECT TOP {HistoryDepth} c.id, c.itemId, c.itemName, c.itemNameTranslations, c.status, c.createdAt, c.reservation, c.state.paidFen " +
                "FROM c WHERE c.type = @type AND c.customerId = @me ORDER BY c.createdKey DESC")
            .WithParameter("@type", OrderDocument.Kind).WithParameter("@me", userId), null, ct);

    private async Task<Dictionary<string, ItemDocument>> ItemsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return new Dictionary<string, ItemDocument>(StringComparer.Ordinal);
        }

        var items = await catalog.QueryAsync<ItemDocument>(ItemDocument.Kind,
            CatalogStore.Query(ItemDocument.Kind, "ARRAY_CONTAINS(@ids, c.id)").WithParameter("@ids", wanted), ct);
        return items.ToDictionary(i => i.Id, StringComparer.Ordinal);
    }

    /// <summary>Distinct (item, worker) pairs of served orders, newest first, each with whether the worker still takes it here.</summary>
    private async Task<List<BookAgainEntry>> BookAgainAsync(
        IReadOnlyList<PastOrder> orders, string cityId, GeoPoint? location, int size, string language, CancellationToken ct)
    {
        var pairs = orders.Where(o => Served.Contains(o.Status))
            .DistinctBy(o => (o.ItemId, o.Reservation.WorkerId)).Take(size).ToList();
        if (pairs.Count == 0)
        {
            return [];
        }

        var workerIds = pairs.Select(p => p.Reservation.WorkerId).Distinct(StringComparer.Ordinal).ToArray();
        var workers = (await db.Workers.QueryAllAsync<WorkerDocument>(new QueryDefinition(
                "SELECT * FROM c WHERE c.type = 'worker' AND ARRAY_CONTAINS(@ids, c.id)").WithParameter("@ids", workerIds), null, ct))
            .ToDictionary(w => w.Id, StringComparer.Ordinal);
        var items = await ItemsAsync([.. pairs.Select(p => p.ItemId)], ct);
        return [.. pairs.Select(p =>
        {
            var worker = workers.GetValueOrDefault(p.Reservation.WorkerId);
            var reason = Unavailable(worker, items.GetValueOrDefault(p.ItemId), cityId, location, p.ItemId);
            return new BookAgainEntry(p.Id, p.ItemId, Localization.Pick(p.ItemName, p.ItemNameTranslations, language), p.Reservation.WorkerId,
                worker is null ? "" : WorkerCard.DisplayNameOf(worker.RealName), worker?.Rating.Average ?? 0, p.CreatedAt, reason is null, reason);
        })];
    }

    /// <summary>Why the worker cannot take the item at <paramref name="location"/> now, or null when they can (the calendar aside).</summary>
    private static string? Unavailable(WorkerDocument? worker, ItemDocument? item, string cityId, GeoPoint? location, string? itemId = null)
    {
        if (worker is not { IsBookable: true } || worker.CityId != cityId || worker.HomeBase is null)
        {
            return "worker_unavailable";
        }

        if (item is not { Active: true } || !item.CityIds.Contains(cityId) || !worker.SkillItemIds.Contains(itemId ?? item.Id))
        {
            return "item_not_offered";
        }

        return location is { } point && worker.HomeBase.ToPoint().DistanceMetersTo(point) > worker.ServiceRadiusKm * 1000 ? "outside_service_radius" : null;
    }

}

public static class HomeFeedEndpoints
{
    public static IEndpointRouteBuilder MapHomeFeedEndpoints(this IEndpointRouteBuilder routes)
    {
        var customer = routes.MapGroup("/api/customer").RequireAuthorization(Roles.Customer).WithTags("Recommendations");
        customer.MapGet("/home", async Task<Ok<HomeFeedView>> (string? addressId, string? cityId, int? pageSize, HttpContext http, HomeFeed feed, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).Optional("addressId", addressId, 64).Optional("cityId", cityId, 64).ThrowIfInvalid();
            return TypedResults.Ok(await feed.ForAsync(http.User.UserId(), Blank(addressId), Blank(cityId), pageSize ?? 10, http.RequestLanguageTag(), ct));
        }).WithSummary("My home feed for an address (default: my default address; or a cityId without one): book again, for you (from the categories " +
                       "I booked and browsed), popular — only items a worker near the address offers; pageSize 1..100 entries per section")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        customer.MapGet("/orders/{id}/book-again", async Task<Ok<BookAgainView>> (string id, string? addressId, HttpContext http, HomeFeed feed, CancellationToken ct) =>
        {
            new Validator().Optional("addressId", addressId, 64).ThrowIfInvalid();
            return TypedResults.Ok(await feed.BookAgainAsync(http.User.UserId(), id, Blank(addressId), ct, http.RequestLanguageTag()));
        }).WithTags("Booking").WithSummary("Book a served order again with the same worker: whether they still take it at the address (default: the order's) " +
                                            "and their free starts over the next 7 days; book one with POST /api/customer/orders and its workerId")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
