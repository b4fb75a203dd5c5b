using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Booking;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class BookingTests(BookingFactory factory)
{
    [Fact]
    public async Task Booking_a_designated_worker_answers_a_pending_payment_order_with_its_price_and_holds_the_time()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync(lat: 31.2304, lng: 121.4737);
        var customer = await world.CustomerAsync(lat: 31.2674, lng: 121.4737); // ≈4.1 km north
        var start = world.At(1, 10);

        var response = await BookingWorld.BookAsync(customer.Client, world.Body(customer, start, worker.Id, quantity: 2, notes: "家里有猫"));

        var order = await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.Equal(start, order.Start);
        Assert.Equal(start.AddMinutes(120), order.End);
        Assert.Equal(worker.Id, order.WorkerId);
        Assert.Equal(factory.Clock.GetUtcNow().AddMinutes(15), order.PaymentDueAt);
        // 2 × ¥100 service, ≈4.1 km with 3 km free → 2 started km × ¥2 travel, ¥5 materials.
        Assert.Equal([new PriceLine("service", 20_000), new PriceLine("travel", 400), new PriceLine("materials", 500)], order.Price.Lines);
        Assert.Equal(20_900, order.Price.TotalFen);
        Assert.Equal("家里有猫", order.Notes);

        var entry = Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
        Assert.Equal((order.Id, start, start.AddMinutes(120), (DateTimeOffset?)null), (entry.OrderId, entry.Start, entry.End, entry.HoldUntil));

        var mine = await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).ReadAsync<OrderView>();
        Assert.Equal(order with { Price = mine.Price }, mine);
        await (await worker.Client.GetAsync($"/api/worker/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_instant_without_an_offset_is_refused_naming_the_field_instead_of_being_read_as_utc()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var start = world.At(1, 10);
        // 10:00 in Shanghai without its offset: read as UTC it would be 18:00 local (issue 14 #6).
        var wallClock = start.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders")
        {
            Content = JsonContent.Create(new { itemId = world.ItemId, addressId = customer.AddressId, start = wallClock, workerId = worker.Id }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        request.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var problem = await (await (await customer.Client.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.Equal(["offset_required"], problem.GetProperty("fieldCodes").GetProperty("start").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Contains("时区偏移", problem.GetProperty("errors").GetProperty("start")[0].GetString());
        Assert.Empty((await world.CalendarAsync(worker.Id)).Reservations);

        // The same wall clock with its offset books the 10:00 slot.
        var booked = await BookingWorld.BookAsync(customer.Client, new { itemId = world.ItemId, addressId = customer.AddressId, start = wallClock + "+08:00", workerId = worker.Id });
        Assert.Equal(start, (await (await booked.EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>()).Start);

        // Query-string instants follow the same rule.
        async Task<string[]> FromCodes(string from)
        {
            var answer = await (await worker.Client.GetAsync($"/api/worker/statement?from={Uri.EscapeDataString(from)}")).EnsureStatusAsync(HttpStatusCode.BadRequest);
            return [.. (await answer.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty("from").EnumerateArray().Select(e => e.GetString()!)];
        }

        Assert.Equal(["offset_required"], await FromCodes(wallClock));
        Assert.Equal(["invalid_instant"], await FromCodes("yesterday"));
        await (await worker.Client.GetAsync($"/api/worker/statement?from={Uri.EscapeDataString(wallClock + "+08:00")}")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.GetAsync($"/api/worker/statement?from={wallClock}Z")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_orders_item_name_is_shown_in_the_readers_language_as_the_catalogue_translates_it()
    {
        var world = await BookingWorld.StartAsync(factory);
        var catalog = factory.Services.GetRequiredService<HomeService.Functions.Catalog.CatalogStore>();
        var item = (await catalog.GetAsync<HomeService.Functions.Catalog.ItemDocument>(HomeService.Functions.Catalog.ItemDocument.Kind, world.ItemId, CancellationToken.None)).Document;
        await catalog.UpsertAsync(HomeService.Functions.Catalog.ItemDocument.Kind, item with { Translations = new() { ["en"] = "Daily cleaning" } }, CancellationToken.None);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id);
        Assert.Equal("Daily cleaning", order.ItemName); // no Accept-Language: English

        async Task<string> NameAsync(HttpClient client, string url, string language)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptLanguage.ParseAdd(language);
            return (await (await (await client.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync()).GetProperty("itemName").GetString()!;
        }

        Assert.Equal("Daily cleaning", await NameAsync(customer.Client, $"/api/customer/orders/{order.Id}", "en"));
        Assert.Equal("日常保洁", await NameAsync(customer.Client, $"/api/customer/orders/{order.Id}", "zh-CN"));
        Assert.Equal("Daily cleaning", await NameAsync(worker.Client, $"/api/worker/orders/{order.Id}", "en-US"));
        Assert.Equal("日常保洁", await NameAsync(worker.Client, $"/api/worker/orders/{order.Id}", "zh-CN,zh;q=0.9"));
    }

    [Fact]
    public async Task Orders_are_visible_only_to_their_customer_and_assigned_worker()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var other = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var stranger = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 9), worker.Id);

        await (await stranger.Client.GetAsync($"/api/customer/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "x" })).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await other.Client.GetAsync($"/api/worker/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await customer.Client.GetAsync($"/api/worker/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        var theirs = await (await stranger.Client.GetAsync("/api/customer/orders")).ReadAsync<Page<OrderView>>();
        Assert.Empty(theirs.Items);
    }

    [Fact]
    public async Task Idempotency_key_is_required_and_replays_return_the_same_order()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(1, 14), worker.Id);

        var missing = await customer.Client.PostAsJsonAsync("/api/customer/orders", body, ApiClient.Json);
        await missing.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("idempotency_key_required", await BookingWorld.FieldCodeAsync(missing, "Idempotency-Key"));

        var first = await (await (await BookingWorld.BookAsync(customer.Client, body, "key-1")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
        var replay = await (await (await BookingWorld.BookAsync(customer.Client, body, "key-1")).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<OrderView>();
        Assert.Equal(first.Id, replay.Id);

        var reused = await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(1, 16), worker.Id), "key-1");
        await reused.EnsureStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency_key_reused", await BookingWorld.ProblemCodeAsync(reused));
        Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_key_create_one_order()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(2, 10), worker.Id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => BookingWorld.BookAsync(customer.Client, body, "same-key")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadAsync<OrderView>()).Id));
        Assert.Single(ids.Distinct());
        Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
    }

    /// <summary>
    /// Auto-assigned, concurrent runs of one key may choose different workers (the order id comes from the key): one order
    /// stands, every answer is it, and exactly one worker's calendar holds it — confirmed; the other holds were let go.
    /// </summary>
    [Fact]
    public async Task Concurrent_retries_of_one_auto_assigned_key_create_one_order_held_by_one_worker()
    {
        var world = await BookingWorld.StartAsync(factory);
        var workers = new[] { await world.WorkerAsync(), await world.WorkerAsync(lat: 31.2324), await world.WorkerAsync(lat: 31.2284) };
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(2, 14));

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => BookingWorld.BookAsync(customer.Client, body, "same-auto-key")));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var orders = await Task.WhenAll(responses.Select(r => r.ReadAsync<OrderView>()));
        var order = Assert.Single(orders.DistinctBy(o => o.Id));
        var entries = (await Task.WhenAll(workers.Select(w => world.CalendarAsync(w.Id)))).SelectMany(c => c.Reservations).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal((order.Id, (DateTimeOffset?)null), (entry.OrderId, entry.HoldUntil));
        Assert.Equal(order.WorkerId, (await world.CalendarAsync(order.WorkerId!)).WorkerId);
    }

    /// <summary>
    /// A replay after the order was cancelled (its time let go) answers the cancelled order, books nothing and leaves the
    /// worker's time free; the same key with another body is still refused.
    /// </summary>
    [Fact]
    public async Task A_replay_after_the_order_was_cancelled_answers_the_cancelled_order_and_holds_nothing()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(2, 9));
        var first = await (await (await BookingWorld.BookAsync(customer.Client, body, "book-cancel-replay")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
        await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{first.Id}/cancel", new { reason = "changed my mind" })).EnsureStatusAsync(HttpStatusCode.OK);

        var replay = await (await (await BookingWorld.BookAsync(customer.Client, body, "book-cancel-replay")).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<OrderView>();
        var reused = await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(2, 15)), "book-cancel-replay");

        Assert.Equal((first.Id, OrderStatus.Cancelled), (replay.Id, replay.Status));
        await reused.EnsureStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency_key_reused", await BookingWorld.ProblemCodeAsync(reused));
        Assert.Empty((await world.CalendarAsync(worker.Id)).Reservations);
        var mine = await (await customer.Client.GetAsync("/api/customer/orders")).ReadAsync<Page<OrderView>>();
        Assert.Equal([first.Id], mine.Items.Select(o => o.Id));
    }

    [Fact]
    public async Task Bad_input_is_a_clear_400_or_409_never_a_500()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync(from: "08:00", to: "12:00");
        var customer = await world.CustomerAsync();
        var far = await world.AnotherAddressAsync(customer, 31.9, 121.4737); // ~74 km away

        async Task<(HttpStatusCode, string)> Book(object body)
        {
            var r = await BookingWorld.BookAsync(customer.Client, body);
            var json = await r.ReadJsonAsync();
            var code = json.TryGetProperty("fieldCodes", out var fields) ? string.Join(",", fields.EnumerateObject().Select(f => $"{f.Name}:{f.Value[0]}")) : json.GetProperty("code").GetString()!;
            return (r.StatusCode, code);
        }

        var tomorrow = world.At(1, 9);
        Assert.Equal((HttpStatusCode.BadRequest, "itemId:unknown_reference"), await Book(new { itemId = "nope", addressId = customer.AddressId, start = tomorrow }));
        Assert.Equal((HttpStatusCode.BadRequest, "addressId:unknown_reference"), await Book(new { itemId = world.ItemId, addressId = "addr_nope", start = tomorrow }));
        Assert.Equal((HttpStatusCode.BadRequest, "start:required"), await Book(new { itemId = world.ItemId, addressId = customer.AddressId }));
        Assert.Equal((HttpStatusCode.BadRequest, "start:not_on_slot_grid"), await Book(world.Body(customer, tomorrow.AddMinutes(10))));
        Assert.Equal((HttpStatusCode.BadRequest, "start:too_soon"), await Book(world.Body(customer, world.At(0, 11))));
        Assert.Equal((HttpStatusCode.BadRequest, "start:beyond_horizon"), await Book(world.Body(customer, world.At(31, 9))));
        Assert.Equal((HttpStatusCode.BadRequest, "quantity:out_of_range"), await Book(world.Body(customer, tomorrow, quantity: 0)));
        Assert.Equal((HttpStatusCode.BadRequest, "notes:too_long"), await Book(world.Body(customer, tomorrow, notes: new string('猫', 501))));
        Assert.Equal((HttpStatusCode.BadRequest, "workerId:unknown_reference"), await Book(world.Body(customer, tomorrow, "wkr_nobody")));
        Assert.Equal((HttpStatusCode.Conflict, "outside_working_hours"), await Book(world.Body(customer, world.At(1, 15), worker.Id)));
        Assert.Equal((HttpStatusCode.Conflict, "outside_service_radius"), await Book(world.Body(far, tomorrow, worker.Id)));
        Assert.Equal((HttpStatusCode.Conflict, "no_worker_available"), await Book(world.Body(far, tomorrow)));
        var malformed = await BookingWorld.BookAsync(customer.Client, new { itemId = world.ItemId, addressId = customer.AddressId, start = "tomorrow" });
        await malformed.EnsureStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Without_a_designated_worker_the_best_free_candidate_is_picked_and_then_the_next()
    {
        var world = await BookingWorld.StartAsync(factory);
        var near = await world.WorkerAsync(lat: 31.2314, lng: 121.4737, rating: 4.9);
        var farther = await world.WorkerAsync(lat: 31.3004, lng: 121.4737, rating: 4.0);
        var start = world.At(3, 10);

        var first = await world.BookOkAsync(await world.CustomerAsync(), start);
        var second = await world.BookOkAsync(await world.CustomerAsync(), start);

        Assert.Equal(near.Id, first.WorkerId);
        Assert.Equal(farther.Id, second.WorkerId);
        var customer = await world.CustomerAsync();
        var none = await BookingWorld.BookAsync(customer.Client, world.Body(customer, start));
        await none.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("no_worker_available", await BookingWorld.ProblemCodeAsync(none));
    }

    [Fact]
    public async Task My_orders_page_newest_first_filter_by_status_and_show_only_mine()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var booked = new List<OrderView>();
        foreach (var hour in new[] { 8, 11, 14 })
        {
            booked.Add(await world.BookOkAsync(customer, world.At(4, hour), worker.Id));
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{booked[0].Id}/cancel", new { reason = "plans changed" })).EnsureStatusAsync(HttpStatusCode.OK);

        var page1 = await (await customer.Client.GetAsync("/api/customer/orders?pageSize=2")).ReadAsync<Page<OrderView>>();
        Assert.Equal([booked[2].Id, booked[1].Id], page1.Items.Select(o => o.Id));
        var page2 = await (await customer.Client.GetAsync($"/api/customer/orders?pageSize=2&continuationToken={page1.ContinuationToken}")).ReadAsync<Page<OrderView>>();
        Assert.Equal([booked[0].Id], page2.Items.Select(o => o.Id));
        Assert.Null(page2.ContinuationToken);

        var cancelled = await (await customer.Client.GetAsync("/api/customer/orders?status=cancelled")).ReadAsync<Page<OrderView>>();
        Assert.Equal([booked[0].Id], cancelled.Items.Select(o => o.Id));
        await (await customer.Client.GetAsync("/api/customer/orders?status=bogus")).EnsureStatusAsync(HttpStatusCode.BadRequest);
        await (await customer.Client.GetAsync($"/api/customer/orders?status=cancelled&continuationToken={page1.ContinuationToken}")).EnsureStatusAsync(HttpStatusCode.BadRequest);
    }
}
