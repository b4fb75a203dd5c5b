using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Booking;
using HomeService.Functions.Catalog;
using Microsoft.Extensions.DependencyInjection;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Tests.Booking;

/// <summary>What one booking costs in Cosmos requests (the X-Cosmos-Requests header the factory turns on), and that the cuts keep resumed runs right.</summary>
[Collection(BookingCollection.Name)]
public sealed class BookingCostTests(BookingFactory factory)
{
    /// <summary>
    /// Naming a worker: the address, the worker query, the plan-and-calendar query, the hold write (at the queried calendar's
    /// ETag), the order create (its id comes from the Idempotency-Key, so the create is the key's uniqueness), the confirm write
    /// (at the hold's ETag). City, its settings and the item are cached (the first booking reads all three).
    /// </summary>
    private const long WarmBookingRequests = 6;

    /// <summary>
    /// Auto-assigned in an area the app has seen: the same (the city's two covering workers, fewer than the limit, are one
    /// query). The city's first booking reads the outer home-cell block, then the rest of the city, and the city, its settings and the item.
    /// </summary>
    private const long WarmAutoAssignedRequests = WarmBookingRequests;

    private const long ColdAutoAssignedRequests = WarmAutoAssignedRequests + 1 + 3;

    [Fact]
    public async Task A_booking_with_warm_caches_makes_six_cosmos_requests_naming_its_worker_or_auto_assigned()
    {
        var world = await BookingWorld.StartAsync(factory);
        var near = await world.WorkerAsync(lat: 31.2304);
        var far = await world.WorkerAsync(lat: 31.2504);
        var customer = await world.CustomerAsync();
        var cold = await (await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(1, 8)))).EnsureStatusAsync(HttpStatusCode.Created);

        var auto = await (await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(1, 12)))).EnsureStatusAsync(HttpStatusCode.Created);
        var named = await (await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(1, 16), far.Id))).EnsureStatusAsync(HttpStatusCode.Created);

        Assert.Equal((ColdAutoAssignedRequests, WarmAutoAssignedRequests, WarmBookingRequests), (Requests(cold), Requests(auto), Requests(named)));
        var autoOrder = await auto.ReadAsync<OrderView>();
        var namedOrder = await named.ReadAsync<OrderView>();
        Assert.Equal(far.Id, namedOrder.WorkerId);
        var held = (await world.CalendarAsync(autoOrder.WorkerId)).Reservations.Single(r => r.OrderId == autoOrder.Id);
        Assert.Null(held.HoldUntil);
        Assert.Null((await world.CalendarAsync(far.Id)).Reservations.Single(r => r.OrderId == namedOrder.Id).HoldUntil);
        Assert.Contains(autoOrder.WorkerId, new[] { near.Id, far.Id });
    }

    /// <summary>The item is cached for bookings, but an edit through the catalog store drops it: the next booking pays the new price.</summary>
    [Fact]
    public async Task A_booking_after_the_item_is_edited_prices_it_as_edited_though_the_item_is_cached()
    {
        var world = await BookingWorld.StartAsync(factory);
        await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var before = await world.BookOkAsync(customer, world.At(1, 8));
        var catalog = factory.Services.GetRequiredService<CatalogStore>();
        var item = (await catalog.GetAsync<ItemDocument>(ItemDocument.Kind, world.ItemId, CancellationToken.None)).Document;

        await catalog.UpsertAsync(ItemDocument.Kind, item with { PriceFen = item.PriceFen * 2 }, CancellationToken.None);
        var after = await world.BookOkAsync(customer, world.At(1, 14));

        Assert.Equal(item.PriceFen, before.Price.Lines.Single(l => l.Code == "service").AmountFen);
        Assert.Equal(item.PriceFen * 2, after.Price.Lines.Single(l => l.Code == "service").AmountFen);
    }

    [Fact]
    public async Task A_series_resumed_after_its_run_died_finds_the_orders_it_already_wrote_instead_of_booking_again()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = new { itemId = world.ItemId, addressId = customer.AddressId, start = world.At(2, 10), workerId = worker.Id, quantity = 1, frequency = "weekly", occurrences = 3 };
        var first = await (await (await BookSeriesAsync(customer.Client, body, "series-dies")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<SeriesView>();
        // As if the run died after writing its orders but before saving the series on its idempotency record.
        var customerId = (await world.Db.Orders.ReadItemAsync<OrderDocument>(first.Orders[0].Id, new PartitionKey(first.Orders[0].Id))).Resource.CustomerId;
        var recordId = $"{customerId}:series-dies";
        var record = (await world.Db.Idempotency.ReadItemAsync<IdempotencyRecord>(recordId, new PartitionKey(recordId))).Resource;
        await world.Db.Idempotency.ReplaceItemAsync(record with { Result = null, ETag = null }, recordId, new PartitionKey(recordId));
        factory.Clock.Advance(IdempotencyRecords.StaleAfter + TimeSpan.FromSeconds(1));

        var resumed = await (await (await BookSeriesAsync(customer.Client, body, "series-dies")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<SeriesView>();

        Assert.Equal(first.SeriesId, resumed.SeriesId);
        Assert.Equal(first.Orders.Select(o => o.Id), resumed.Orders.Select(o => o.Id));
        Assert.Empty(resumed.Skipped);
        var calendar = await world.CalendarAsync(worker.Id);
        Assert.Equal(first.Orders.Select(o => o.Id).Order(), calendar.Reservations.Select(r => r.OrderId).Order());
        Assert.All(calendar.Reservations, r => Assert.Null(r.HoldUntil));
    }

    private static long Requests(HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues(CosmosUsageHeaders.Requests).Single(), CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> BookSeriesAsync(HttpClient client, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders/recurring") { Content = JsonContent.Create(body, options: ApiClient.Json) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
