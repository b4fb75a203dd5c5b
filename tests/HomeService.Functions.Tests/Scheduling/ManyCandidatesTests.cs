using HomeService.Domain.Common;
using System.Net;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Tests.Scheduling;

[Collection(BookingCollection.Name)]
public sealed class ManyCandidatesTests(BookingFactory factory)
{
    /// <summary>
    /// More covering workers than one query page (500 rows): availability and an auto-assigned booking answer, never a 500,
    /// and both consider the same nearest <see cref="Candidates.NearestLimit"/> workers, so what availability shows is bookable.
    /// </summary>
    [Fact]
    public async Task Availability_and_auto_assigned_booking_answer_for_a_city_with_more_candidates_than_one_page_considering_the_nearest()
    {
        var world = await BookingWorld.StartAsync(factory);
        var workers = await world.WorkersWrittenAsync(520);
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";

        var order = await world.BookOkAsync(customer, world.At(2, 10));
        var availability = await (await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<AvailabilityView>();

        Assert.Contains(order.WorkerId, workers);
        var atTen = Assert.Single(availability.Slots, s => s.Start == world.At(2, 10));
        Assert.Equal(Candidates.NearestLimit - 1, atTen.WorkerCount);
        Assert.Equal(Candidates.NearestLimit, availability.Slots.Max(s => s.WorkerCount));
    }

    /// <summary>
    /// The read is nearest-first: 45 workers 8 km away whose ids sort first, and one at the address whose id sorts last —
    /// the one at the address is among the candidates (the inner ring is read first) and wins the auto-assigned booking.
    /// </summary>
    [Fact]
    public async Task The_worker_at_the_address_is_a_candidate_even_when_more_than_the_limit_farther_away_sort_before_them()
    {
        var world = await BookingWorld.StartAsync(factory);
        var far = await world.WorkersWrittenAsync(45, at: (BookingWorld.Center.Lat + 0.072, BookingWorld.Center.Lng), idPrefix: "wkr_a");
        var near = Assert.Single(await world.WorkersWrittenAsync(1, idPrefix: "wkr_z"));
        var customer = await world.CustomerAsync();

        var order = await world.BookOkAsync(customer, world.At(2, 10));

        Assert.Equal(near, order.WorkerId);
        Assert.Equal(45, far.Count);
    }

    /// <summary>
    /// Past twice the limit (the outer block's read and the inner block's), more workers near the address do not make availability
    /// read more: the cost follows the nearest, not the city.
    /// </summary>
    [Fact]
    public async Task Availability_reads_the_same_bytes_and_requests_whether_the_area_has_three_or_eighteen_times_the_limit_of_workers()
    {
        var world = await BookingWorld.StartAsync(factory);
        await world.WorkersWrittenAsync(Candidates.NearestLimit * 3);
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day.AddDays(6):yyyy-MM-dd}";
        _ = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches

        var few = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.WorkersWrittenAsync(Candidates.NearestLimit * 15);
        var many = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(Header(few, CosmosUsageHeaders.Requests), Header(many, CosmosUsageHeaders.Requests));
        Assert.InRange(Header(many, CosmosUsageHeaders.ResponseBytes), Header(few, CosmosUsageHeaders.ResponseBytes) * 0.9, Header(few, CosmosUsageHeaders.ResponseBytes) * 1.1);
        Assert.True(Header(many, CosmosUsageHeaders.ResponseBytes) < 100_000);
    }

    /// <summary>
    /// An area whose inner block (≈ 2–4 km) has more covering workers than the limit is read from there once the app has seen it:
    /// availability then makes one worker read (address, the inner block, plans and calendars — 3 requests) and still shows the
    /// limit's worth of workers. When the area thins out, that read comes back short and the usual reads follow: everyone left
    /// is found.
    /// </summary>
    [Fact]
    public async Task A_dense_area_is_read_from_its_inner_block_first_and_a_thinned_one_as_before()
    {
        var world = await BookingWorld.StartAsync(factory);
        var workers = await world.WorkersWrittenAsync(Candidates.NearestLimit * 3);
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        _ = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches; the inner block is full

        var dense = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, Header(dense, CosmosUsageHeaders.Requests));
        Assert.Equal(Candidates.NearestLimit, (await dense.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));

        var left = workers.Take(7).ToHashSet();
        await Parallel.ForEachAsync(workers.Where(w => !left.Contains(w)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            await world.Db.Workers.DeleteItemAsync<WorkerDocument>(id, new PartitionKey(id), cancellationToken: ct));
        var thinned = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(5, Header(thinned, CosmosUsageHeaders.Requests)); // the short inner read, the outer block, the rest of the city
        Assert.Equal(left.Count, (await thinned.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        var again = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, Header(again, CosmosUsageHeaders.Requests)); // now known sparse (7 in all): one read of the city's covering workers
        Assert.Equal(left.Count, (await again.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
    }

    /// <summary>
    /// Where the whole city has fewer covering workers than the limit, availability reads them in one query once the app has seen
    /// that (address, the city's covering workers, plans and calendars — 3 requests). When the city grows past the limit that read
    /// comes back full and the usual reads follow (the outer block, the inner block): the nearest are shown, and the area is
    /// then read as dense.
    /// </summary>
    [Fact]
    public async Task A_sparse_area_is_read_in_one_query_and_one_that_grew_as_before()
    {
        var world = await BookingWorld.StartAsync(factory);
        var few = await world.WorkersWrittenAsync(5);
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        var cold = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches; the city has 5

        var sparse = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, Header(sparse, CosmosUsageHeaders.Requests));
        Assert.Equal(few.Count, (await sparse.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        Assert.Equal(few.Count, (await cold.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));

        await world.WorkersWrittenAsync(Candidates.NearestLimit * 3);
        var grown = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(5, Header(grown, CosmosUsageHeaders.Requests)); // the full read of the city, the outer block, the inner block
        Assert.Equal(Candidates.NearestLimit, (await grown.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        var dense = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, Header(dense, CosmosUsageHeaders.Requests)); // now known dense: the inner block alone
    }

    /// <summary>
    /// An area whose outer block (≈ 15 km) has more covering workers than the limit (here 3.3 km away) and whose inner block fewer is read in one
    /// query once the app has seen it: the inner block's workers and the outer block's up to the last id its full read took
    /// (address, that read, plans and calendars — 3 requests), the same workers as the two usual reads, so the one at the
    /// address still wins an auto-assigned booking. When a worker up to that id leaves, the read comes back short of the
    /// limit there and the usual reads follow.
    /// </summary>
    [Fact]
    public async Task A_medium_area_is_read_in_one_query_and_one_that_changed_as_before()
    {
        var world = await BookingWorld.StartAsync(factory);
        var far = await world.WorkersWrittenAsync(Candidates.NearestLimit + 5, at: (BookingWorld.Center.Lat + 0.03, BookingWorld.Center.Lng), idPrefix: "wkr_a");
        var near = await world.WorkersWrittenAsync(3, idPrefix: "wkr_z");
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        var cold = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches; the outer block is full, the inner not

        var medium = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, Header(medium, CosmosUsageHeaders.Requests));
        var slots = (await medium.ReadAsync<AvailabilityView>()).Slots;
        Assert.Equal((await cold.ReadAsync<AvailabilityView>()).Slots, slots);
        Assert.Equal(Candidates.NearestLimit, slots.Max(s => s.WorkerCount));
        var order = await world.BookOkAsync(customer, world.At(2, 10));
        Assert.Contains(order.WorkerId, near);

        await world.Db.Workers.DeleteItemAsync<WorkerDocument>(far.Order(StringComparer.Ordinal).First(), new PartitionKey(far.Order(StringComparer.Ordinal).First()));
        var changed = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(4, Header(changed, CosmosUsageHeaders.Requests)); // the short medium read, then the outer block past its rows
        Assert.Equal(Candidates.NearestLimit, (await changed.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
    }

    /// <summary>
    /// A medium area whose inner block then filled up: the one read is cut by its TOP, but with exactly the limit of rows up to
    /// the remembered id it is the usual two reads' rows (the outer block's first by id, then the inner block's first past them),
    /// so it stands — 3 requests — and the nearest are the inner block's.
    /// </summary>
    [Fact]
    public async Task A_medium_area_whose_inner_block_filled_up_is_still_read_once_and_shows_the_inner_block()
    {
        var world = await BookingWorld.StartAsync(factory);
        await world.WorkersWrittenAsync(Candidates.NearestLimit + 5, at: (BookingWorld.Center.Lat + 0.03, BookingWorld.Center.Lng), idPrefix: "wkr_a");
        var near = (await world.WorkersWrittenAsync(3, idPrefix: "wkr_z")).ToList();
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        _ = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches; remembered as medium
        near.AddRange(await world.WorkersWrittenAsync(Candidates.NearestLimit + 20, idPrefix: "wkr_z"));

        var filled = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(3, Header(filled, CosmosUsageHeaders.Requests));
        Assert.Equal(Candidates.NearestLimit, (await filled.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        Assert.Contains((await world.BookOkAsync(customer, world.At(2, 10))).WorkerId, near);
    }

    /// <summary>
    /// Workers whose cells contain the address but whose own radius falls short of it (3 km, living 3.3 km away) stay in Cosmos:
    /// availability reads what it read without them, in as many requests, and a worker 0.2 % inside the edge of a diagonal
    /// reach (where the query's flat-earth check and the haversine part most) is still a candidate.
    /// </summary>
    [Fact]
    public async Task Workers_whose_cells_cover_the_address_but_whose_radius_does_not_reach_it_are_not_read()
    {
        var world = await BookingWorld.StartAsync(factory);
        var address = new GeoPoint(BookingWorld.Center.Lat, BookingWorld.Center.Lng);
        var edge = new GeoPoint(address.Latitude + 0.019039, address.Longitude + 0.022265); // ≈ 2,994 m to the north-east
        Assert.InRange(edge.DistanceMetersTo(address), 2_985, 2_999);
        var reaching = (await world.WorkersWrittenAsync(4)).Append(Assert.Single(await world.WorkersWrittenAsync(1, radiusKm: 3, at: (edge.Latitude, edge.Longitude)))).ToList();
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        _ = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK); // fills caches
        var before = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        var shortOf = (Lat: address.Latitude + 0.03, Lng: address.Longitude);
        Assert.True(new GeoPoint(shortOf.Lat, shortOf.Lng).DistanceMetersTo(address) > 3_300);
        Assert.NotEmpty(GeoCells.Cover(new GeoPoint(shortOf.Lat, shortOf.Lng), 3).Intersect(GeoCells.Keys(address))); // the cells alone would let them through
        await world.WorkersWrittenAsync(Candidates.NearestLimit * 2, radiusKm: 3, at: shortOf);
        var after = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(reaching.Count, (await before.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        Assert.Equal(reaching.Count, (await after.ReadAsync<AvailabilityView>()).Slots.Max(s => s.WorkerCount));
        Assert.Equal(3, Header(after, CosmosUsageHeaders.Requests)); // address, the city's covering workers (known sparse), plans and calendars
        Assert.Equal(Header(before, CosmosUsageHeaders.Requests), Header(after, CosmosUsageHeaders.Requests));
        Assert.Equal(Header(before, CosmosUsageHeaders.ResponseBytes), Header(after, CosmosUsageHeaders.ResponseBytes));
    }

    private static readonly GeoPoint Point = new(BookingWorld.Center.Lat, BookingWorld.Center.Lng);

    private static GeoPoint Towards(GeoPoint from, double degrees, double meters) => new(
        from.Latitude + meters * Math.Cos(degrees * Math.PI / 180) / GeoPoint.MetersPerDegree,
        from.Longitude + meters * Math.Sin(degrees * Math.PI / 180) / (GeoPoint.MetersPerDegree * Math.Cos(from.Latitude * Math.PI / 180)));

    private static bool InBlock(GeoPoint p) =>
        GeoCells.Neighborhood(Point, GeoCells.InnerRingPrecision).Contains(GeoCells.Encode(p, GeoCells.InnerRingPrecision));

    /// <summary>Just past the north edge of the point's precision-6 block, and a point in the block 300 m farther than that.</summary>
    private static (GeoPoint Outside, GeoPoint Inside) AroundTheBlockEdge()
    {
        var edge = Enumerable.Range(1, 300).Select(i => i * 10.0).First(m => !InBlock(Towards(Point, 0, m)));
        var outside = Towards(Point, 0, edge + 50);
        Assert.False(InBlock(outside));
        return (outside, InBlockFartherThan(outside.DistanceMetersTo(Point) + 300));
    }

    private static GeoPoint InBlockFartherThan(double meters) =>
        Enumerable.Range(0, 72).SelectMany(a => Enumerable.Range(1, 300).Select(i => Towards(Point, a * 5, i * 10.0)))
            .First(p => InBlock(p) && p.DistanceMetersTo(Point) > meters);

    private async Task<(HttpResponseMessage Response, double Km)> SearchNearAsync(BookingWorld world)
    {
        var url = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"/api/catalog/cities/{world.CityId}/items?latitude={Point.Latitude}&longitude={Point.Longitude}&sort=distance");
        var response = await (await factory.CreateClient().GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        var item = Assert.Single((await response.ReadJsonAsync()).GetProperty("items").EnumerateArray());
        return (response, item.GetProperty("nearestWorkerKm").GetDouble());
    }

    /// <summary>
    /// Search near a point reads the workers around it, not the city: 30 workers at the point, then 200 more 6 km away
    /// (covering it, offering the same item, but farther than the nearest) — the search makes the same requests and reads the
    /// same bytes. And the nearest is exact: a worker just outside the point's precision-6 block beats one inside it that
    /// is farther away.
    /// </summary>
    [Fact]
    public async Task Search_near_a_point_reads_the_workers_around_it_and_finds_the_nearest_outside_the_block_too()
    {
        var world = await BookingWorld.StartAsync(factory);
        var (outside, inside) = AroundTheBlockEdge();
        await world.WorkersWrittenAsync(1, at: (inside.Latitude, inside.Longitude));
        await world.WorkersWrittenAsync(1, at: (outside.Latitude, outside.Longitude));

        Assert.Equal(Math.Round(outside.DistanceMetersTo(Point) / 1000, 2), (await SearchNearAsync(world)).Km);

        await world.WorkersWrittenAsync(30);
        var few = await SearchNearAsync(world);
        var east = Towards(Point, 90, 6_000);
        await world.WorkersWrittenAsync(200, at: (east.Latitude, east.Longitude));
        var many = await SearchNearAsync(world);

        Assert.Equal(0, few.Km);
        Assert.Equal(0, many.Km);
        Assert.Equal(Header(few.Response, CosmosUsageHeaders.Requests), Header(many.Response, CosmosUsageHeaders.Requests));
        Assert.Equal(Header(few.Response, CosmosUsageHeaders.ResponseBytes), Header(many.Response, CosmosUsageHeaders.ResponseBytes));
    }

    /// <summary>
    /// A block with more workers than its first read takes: that read (the first by id, all 500 m or more away) gives a distance,
    /// the rest of the block is read only for who is nearer — the worker at the point, whose id sorts last, is found — and 100
    /// more workers farther away add no bytes.
    /// </summary>
    [Fact]
    public async Task Search_in_a_dense_block_finds_the_nearest_worker_past_the_first_read_and_reads_no_more_as_the_block_fills()
    {
        var world = await BookingWorld.StartAsync(factory);
        var near = InBlockFartherThan(500);
        var farther = InBlockFartherThan(near.DistanceMetersTo(Point) * 1.2);
        await world.WorkersWrittenAsync(NearbyOffers.BlockRows, at: (near.Latitude, near.Longitude), idPrefix: "wkr_a");
        await world.WorkersWrittenAsync(10, at: (farther.Latitude, farther.Longitude), idPrefix: "wkr_b");
        await world.WorkersWrittenAsync(1, idPrefix: "wkr_z");

        var dense = await SearchNearAsync(world);
        await world.WorkersWrittenAsync(100, at: (farther.Latitude, farther.Longitude), idPrefix: "wkr_b");
        var denser = await SearchNearAsync(world);

        Assert.Equal(0, dense.Km);
        Assert.Equal(0, denser.Km);
        Assert.Equal(Header(dense.Response, CosmosUsageHeaders.ResponseBytes), Header(denser.Response, CosmosUsageHeaders.ResponseBytes));
    }

    /// <summary>
    /// A worker stored before the geo index (no cells) is rewritten with them by the backfill timer — nothing else changes — and a
    /// second run has nothing to do; the worker is then found through the cells and booked.
    /// </summary>
    [Fact]
    public async Task The_backfill_timer_writes_the_geo_index_of_a_worker_stored_before_it_once_and_the_worker_is_then_booked()
    {
        var world = await BookingWorld.StartAsync(factory);
        var id = $"wkr_old_{Guid.NewGuid():N}";
        var old = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = id, ["type"] = "worker", ["status"] = "approved", ["realName"] = "老师傅", ["idNumberMasked"] = "3101**********0000", ["idNumberHash"] = id,
            ["cityId"] = world.CityId, ["skills"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["itemId"] = world.ItemId }),
            ["skillItemIds"] = new System.Text.Json.Nodes.JsonArray(world.ItemId), ["serviceRadiusKm"] = 10,
            ["homeBase"] = new System.Text.Json.Nodes.JsonObject { ["latitude"] = BookingWorld.Center.Lat, ["longitude"] = BookingWorld.Center.Lng },
            ["accepting"] = true, ["rating"] = new System.Text.Json.Nodes.JsonObject { ["average"] = 4.5, ["count"] = 3 },
            ["createdAt"] = factory.Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        await world.Db.Workers.CreateItemAsync(old, new Microsoft.Azure.Cosmos.PartitionKey(id));
        var days = Enum.GetValues<DayOfWeek>().Select(d => new DayPlanDto(d, [new IntervalDto("08:00", "20:00")], null)).ToList();
        await world.Db.Schedules.CreateItemAsync(new PlanDocument { WorkerId = id, Days = days }, new Microsoft.Azure.Cosmos.PartitionKey(id));

        var first = await factory.InvokeTimerAsync(WorkerGeoBackfill.Name, factory.Clock.GetUtcNow());
        var second = await factory.InvokeTimerAsync(WorkerGeoBackfill.Name, factory.Clock.GetUtcNow());
        var stored = (await world.Db.Workers.ReadItemAsync<System.Text.Json.Nodes.JsonObject>(id, new Microsoft.Azure.Cosmos.PartitionKey(id))).Resource;
        var order = await world.BookOkAsync(await world.CustomerAsync(), world.At(2, 10));

        Assert.Matches("^Backfilled the geo index of [1-9][0-9]* workers$", (string)first.ReturnValue!);
        Assert.Equal("Backfilled the geo index of 0 workers", second.ReturnValue);
        Assert.NotEmpty(stored["geoCells"]!.AsArray());
        Assert.Equal(HomeService.Domain.Common.GeoCells.Encode(new(BookingWorld.Center.Lat, BookingWorld.Center.Lng), 6), (string?)stored["homeCell6"]);
        Assert.Equal("老师傅", (string?)stored["realName"]);
        Assert.Equal(id, order.WorkerId);
    }

    private static long Header(HttpResponseMessage r, string name) => long.Parse(r.Headers.GetValues(name).Single(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The Cosmos usage of a call, counted in the app by the client's request handler (for the benchmark).</summary>
    [Fact]
    public async Task Each_call_reports_the_cosmos_requests_and_bytes_it_made_and_more_candidates_read_more_bytes_not_more_requests()
    {
        var world = await BookingWorld.StartAsync(factory);
        await world.WorkersWrittenAsync(3);
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(2, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";

        var few = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.WorkersWrittenAsync(30);
        var many = await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.InRange(Header(few, CosmosUsageHeaders.Requests), 3, 20);
        Assert.True(Header(many, CosmosUsageHeaders.Requests) <= Header(few, CosmosUsageHeaders.Requests)); // the first call also filled caches
        Assert.True(Header(many, CosmosUsageHeaders.ResponseBytes) > Header(few, CosmosUsageHeaders.ResponseBytes) + 30 * 300);
    }
}
