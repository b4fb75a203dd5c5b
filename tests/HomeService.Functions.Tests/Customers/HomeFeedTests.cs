using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Domain.Catalog;
using HomeService.Domain.Orders;
using HomeService.Functions.Catalog;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Dispatch;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Customers;

/// <summary>The home feed (book again, for you, popular near the address) and booking an earlier order again with its worker.</summary>
[Collection(DispatchCollection.Name)]
public sealed class HomeFeedTests(DispatchFactory factory)
{
    private CatalogStore Catalog => factory.Services.GetRequiredService<CatalogStore>();

    private async Task<string> ItemAsync(DispatchWorld world, string name, string categoryId, long popularity)
    {
        var id = $"item-{Guid.NewGuid():N}"[..20];
        await Catalog.UpsertAsync(ItemDocument.Kind, new ItemDocument
        {
            Id = id, Name = name, CategoryId = categoryId, DurationMinutes = 60, BufferMinutes = 15, PriceFen = 8_000,
            ExtraFees = new ExtraFees(new TravelFeeRule(3, 200, 3_000), 500), CityIds = [world.CityId], Active = true,
            Popularity = popularity, PopularityKey = SortKeys.Popularity(popularity, id), PriceKey = SortKeys.Price(8_000, id),
        }, CancellationToken.None);
        return id;
    }

    /// <summary>Gives a worker written by the test world more skills (the world writes them with its one item).</summary>
    private async Task AddSkillsAsync(DispatchWorld world, TestWorker worker, params string[] itemIds)
    {
        var current = (await world.Booking.Db.Workers.ReadItemAsync<WorkerDocument>(worker.Id, new PartitionKey(worker.Id))).Resource;
        await world.Booking.Db.Workers.UpsertItemAsync(current with
        {
            Skills = [.. current.Skills, .. itemIds.Select(i => new WorkerSkill(i, null))],
            SkillItemIds = [.. current.SkillItemIds, .. itemIds],
        }, new PartitionKey(worker.Id));
    }

    private static async Task<JsonElement> HomeAsync(TestCustomer customer, string query = "") =>
        await (await (await customer.Client.GetAsync($"/api/customer/home{query}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();

    private static string[] Ids(JsonElement list, string? inner = null) =>
        [.. list.EnumerateArray().Select(e => (inner is null ? e : e.GetProperty(inner)).GetProperty("id").GetString()!)];

    [Fact]
    public async Task The_feed_learns_from_booked_and_browsed_categories_and_shows_only_what_a_worker_near_the_address_offers()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.Designated);
        var booked = world.Booking.ItemId; // category cat-test
        var world0 = (await Catalog.GetAsync<ItemDocument>(ItemDocument.Kind, booked, CancellationToken.None)).Document;
        await Catalog.UpsertAsync(ItemDocument.Kind, world0 with { Popularity = 5, PopularityKey = SortKeys.Popularity(5, booked) }, CancellationToken.None);
        var sameCategory = await ItemAsync(world, "深度保洁", "cat-test", 10);
        var otherCategory = await ItemAsync(world, "空调清洗", "cat-other", 50);
        var farOnly = await ItemAsync(world, "管道疏通", "cat-test", 100); // the most popular, but nobody near offers it
        var worker = await world.WorkerAsync();
        await AddSkillsAsync(world, worker, sameCategory, otherCategory);
        var far = await world.WorkerAsync(km: 60, radiusKm: 10);
        await AddSkillsAsync(world, far, farOnly);
        var customer = await world.CustomerAsync();

        // Nothing learnt yet: no book-again, nothing "for you"; popular near the address, most popular first, without the far-only item.
        var empty = await HomeAsync(customer);
        Assert.Equal(world.CityId, empty.GetProperty("cityId").GetString());
        Assert.Equal(customer.AddressId, empty.GetProperty("addressId").GetString());
        Assert.Empty(empty.GetProperty("bookAgain").EnumerateArray());
        Assert.Empty(empty.GetProperty("forYou").EnumerateArray());
        Assert.Equal([otherCategory, sameCategory, booked], Ids(empty.GetProperty("popular")));

        var served = await world.ServedOrderAsync(customer, worker, 10);
        await (await customer.Client.PostAsync($"/api/customer/orders/{served}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var feed = await HomeAsync(customer);
        var again = Assert.Single(feed.GetProperty("bookAgain").EnumerateArray());
        Assert.Equal((served, booked, worker.Id, true), (again.GetProperty("orderId").GetString(), again.GetProperty("itemId").GetString(),
            again.GetProperty("workerId").GetString(), again.GetProperty("available").GetBoolean()));
        // The booked category's items, by popularity; the far-only one is in that category but excluded.
        Assert.Equal([sameCategory, booked], Ids(feed.GetProperty("forYou"), "item"));
        Assert.All(feed.GetProperty("forYou").EnumerateArray(), r => Assert.Equal("booked_category", r.GetProperty("reason").GetString()));
        Assert.Equal([otherCategory], Ids(feed.GetProperty("popular")));

        // A view of another category's item (the queue function records it) adds that category after the booked one.
        var me = (await (await customer.Client.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString()!;
        await QueueDelivery.DeliverAsync(factory, BrowsingHistory.Name,
            JsonSerializer.Serialize(new BrowsingHistoryMessage(me, otherCategory, factory.Clock.GetUtcNow()), CosmosDb.JsonOptions));
        var browsed = await HomeAsync(customer, "?pageSize=2");
        Assert.Equal([sameCategory, booked], Ids(browsed.GetProperty("forYou"), "item"));
        var all = await HomeAsync(customer);
        Assert.Equal([sameCategory, booked, otherCategory], Ids(all.GetProperty("forYou"), "item"));
        Assert.Equal("browsed_category", all.GetProperty("forYou")[2].GetProperty("reason").GetString());
        Assert.Empty(all.GetProperty("popular").EnumerateArray());

        // Another customer learns nothing from this one's history.
        var stranger = await world.CustomerAsync();
        Assert.Empty((await HomeAsync(stranger)).GetProperty("bookAgain").EnumerateArray());
        Assert.Empty((await HomeAsync(stranger)).GetProperty("forYou").EnumerateArray());

        // Bad input is named.
        var badSize = await customer.Client.GetAsync("/api/customer/home?pageSize=0");
        Assert.Equal("out_of_range", await BookingWorld.FieldCodeAsync(await badSize.EnsureStatusAsync(HttpStatusCode.BadRequest), "pageSize"));
        var notMine = await customer.Client.GetAsync($"/api/customer/home?addressId={stranger.AddressId}");
        Assert.Equal("unknown_reference", await BookingWorld.FieldCodeAsync(await notMine.EnsureStatusAsync(HttpStatusCode.BadRequest), "addressId"));
    }

    [Fact]
    public async Task A_served_order_is_booked_again_with_the_same_worker_while_they_still_take_it()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.Designated);
        var worker = await world.WorkerAsync();
        var other = await world.WorkerAsync(rating: 5);
        var customer = await world.CustomerAsync();
        var served = await world.ServedOrderAsync(customer, worker, 9);

        var view = await (await (await customer.Client.GetAsync($"/api/customer/orders/{served}/book-again")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.True(view.GetProperty("available").GetBoolean());
        Assert.Equal((worker.Id, customer.AddressId, "Asia/Shanghai"),
            (view.GetProperty("workerId").GetString(), view.GetProperty("addressId").GetString(), view.GetProperty("timeZone").GetString()));
        var slots = view.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset()).ToList();
        Assert.NotEmpty(slots);
        Assert.All(slots, s => Assert.InRange(s, factory.Clock.GetUtcNow(), factory.Clock.GetUtcNow().AddDays(HomeFeed.BookAgainDays)));
        // The worker's own bookings are not offered again: the served order's start is not among them.
        Assert.DoesNotContain((await world.OrderAsync(served)).Reservation.Start, slots);

        // Booking the first free start with that worker gives them the order (not the better-rated other one).
        var rebooked = await world.Booking.BookOkAsync(customer, slots[0], worker.Id);
        Assert.Equal(worker.Id, (await world.OrderAsync(rebooked.Id)).Reservation.WorkerId);
        Assert.NotEqual(other.Id, (await world.OrderAsync(rebooked.Id)).Reservation.WorkerId);
        var after = await (await (await customer.Client.GetAsync($"/api/customer/orders/{served}/book-again")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.DoesNotContain(slots[0], after.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset()));

        // An order not served yet is not booked again; another customer's order is not found.
        var notServed = await customer.Client.GetAsync($"/api/customer/orders/{rebooked.Id}/book-again");
        Assert.Equal("order_not_rebookable", await BookingWorld.ProblemCodeAsync(await notServed.EnsureStatusAsync(HttpStatusCode.Conflict)));
        var stranger = await world.CustomerAsync();
        await (await stranger.Client.GetAsync($"/api/customer/orders/{served}/book-again")).EnsureStatusAsync(HttpStatusCode.NotFound);

        // Once the worker stops taking orders, book again says so (no slots), here and in the feed.
        await (await worker.Client.PutAsJsonAsync("/api/worker/accepting", new { accepting = false })).EnsureStatusAsync(HttpStatusCode.OK);
        var paused = await (await (await customer.Client.GetAsync($"/api/customer/orders/{served}/book-again")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal((false, "worker_unavailable"), (paused.GetProperty("available").GetBoolean(), paused.GetProperty("unavailableReason").GetString()));
        Assert.Empty(paused.GetProperty("slots").EnumerateArray());
        var entry = Assert.Single((await HomeAsync(customer)).GetProperty("bookAgain").EnumerateArray());
        Assert.Equal((false, "worker_unavailable"), (entry.GetProperty("available").GetBoolean(), entry.GetProperty("unavailableReason").GetString()));

        // At an address beyond the worker's area.
        await (await worker.Client.PutAsJsonAsync("/api/worker/accepting", new { accepting = true })).EnsureStatusAsync(HttpStatusCode.OK);
        var farAway = await world.Booking.AnotherAddressAsync(customer, BookingWorld.Center.Lat + 0.5, BookingWorld.Center.Lng);
        var outside = await (await (await customer.Client.GetAsync($"/api/customer/orders/{served}/book-again?addressId={farAway.AddressId}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal((false, "outside_service_radius"), (outside.GetProperty("available").GetBoolean(), outside.GetProperty("unavailableReason").GetString()));
    }

    [Fact]
    public async Task Nearby_search_keeps_items_a_worker_near_the_point_offers_and_sorts_by_the_nearest_one()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.Designated);
        var central = world.Booking.ItemId;
        var item = (await Catalog.GetAsync<ItemDocument>(ItemDocument.Kind, central, CancellationToken.None)).Document;
        await Catalog.UpsertAsync(ItemDocument.Kind, item with
        {
            PopularityKey = SortKeys.Popularity(0, central), PriceKey = SortKeys.Price(item.PriceFen, central),
        }, CancellationToken.None);
        var threeKm = await ItemAsync(world, "家电维修", "cat-test", 1);
        var farOnly = await ItemAsync(world, "管道疏通", "cat-test", 100);
        await world.WorkerAsync();
        await AddSkillsAsync(world, await world.WorkerAsync(km: 3), threeKm);
        await AddSkillsAsync(world, await world.WorkerAsync(km: 60, radiusKm: 10), farOnly);
        var anonymous = factory.CreateClient();
        var point = $"latitude={BookingWorld.Center.Lat.ToString(System.Globalization.CultureInfo.InvariantCulture)}&longitude={BookingWorld.Center.Lng.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        async Task<JsonElement> BrowseAsync(string query) =>
            await (await (await anonymous.GetAsync($"/api/catalog/cities/{world.CityId}/items?{query}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();

        // Without a point every active item is listed; with one, only those a worker covering the point offers, with the distance.
        Assert.Contains(farOnly, Ids((await BrowseAsync("")).GetProperty("items")));
        var near = await BrowseAsync($"{point}&sort=distance");
        Assert.Equal([central, threeKm], Ids(near.GetProperty("items")));
        Assert.InRange(near.GetProperty("items")[1].GetProperty("nearestWorkerKm").GetDouble(), 2.9, 3.1);
        Assert.Equal([central], Ids((await BrowseAsync($"{point}&maxDistanceKm=1")).GetProperty("items")));
        // Other sorts keep their order within the nearby items; paging by distance follows the order.
        Assert.Equal([central, threeKm], Ids((await BrowseAsync($"{point}&sort=price_desc")).GetProperty("items")));
        Assert.Equal([threeKm, central], Ids((await BrowseAsync($"{point}&sort=price_asc")).GetProperty("items")));
        var first = await BrowseAsync($"{point}&sort=distance&pageSize=1");
        Assert.Equal([central], Ids(first.GetProperty("items")));
        var second = await BrowseAsync($"{point}&sort=distance&pageSize=1&continuationToken={Uri.EscapeDataString(first.GetProperty("continuationToken").GetString()!)}");
        Assert.Equal([threeKm], Ids(second.GetProperty("items")));
        Assert.False(second.TryGetProperty("continuationToken", out _));

        foreach (var (query, field, code) in new[]
                 {
                     ("sort=distance", "latitude", "required"), ("latitude=31.2", "longitude", "required"),
                     ($"{point}&maxDistanceKm=0", "maxDistanceKm", "out_of_range"), ("maxDistanceKm=5", "latitude", "required"),
                     ("latitude=95&longitude=121", "latitude", "invalid"), ("minRating=6", "minRating", "out_of_range"),
                 })
        {
            var bad = await anonymous.GetAsync($"/api/catalog/cities/{world.CityId}/items?{query}");
            Assert.Equal(code, await BookingWorld.FieldCodeAsync(await bad.EnsureStatusAsync(HttpStatusCode.BadRequest), field));
        }
    }
}
