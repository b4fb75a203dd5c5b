using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Tests.Workers;

/// <summary>"Choose a worker": who can serve an item at my address, filtered, sorted and paged, each with a public card.</summary>
[Collection(BookingCollection.Name)]
public sealed class WorkerChoiceTests(BookingFactory factory)
{
    private static async Task ChangeAsync(BookingWorld world, TestWorker worker, Func<WorkerDocument, WorkerDocument> change)
    {
        var current = (await world.Db.Workers.ReadItemAsync<WorkerDocument>(worker.Id, new PartitionKey(worker.Id))).Resource;
        await world.Db.Workers.UpsertItemAsync(change(current), new PartitionKey(worker.Id));
    }

    private static async Task<JsonElement> ListAsync(BookingWorld world, TestCustomer customer, string query = "") =>
        await (await (await customer.Client.GetAsync($"/api/customer/workers?itemId={world.ItemId}&addressId={customer.AddressId}{query}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Workers_who_can_serve_the_address_are_filtered_sorted_and_paged_with_their_cards()
    {
        var world = await BookingWorld.StartAsync(factory, durationMinutes: 60, bufferMinutes: 15);
        var a = await world.WorkerAsync(rating: 4.9, ownPriceFen: 12_000);
        var b = await world.WorkerAsync(lat: BookingWorld.Center.Lat + 3 / 111.2, rating: 4.2);
        var c = await world.WorkerAsync(lat: BookingWorld.Center.Lat + 6 / 111.2, rating: 4.6, from: "14:00", to: "20:00");
        var far = await world.WorkerAsync(lat: BookingWorld.Center.Lat + 40 / 111.2, radiusKm: 10, rating: 5);
        var paused = await world.WorkerAsync(rating: 5);
        await ChangeAsync(world, a, w => w with { Gender = "male", YearsOfExperience = 3 });
        await ChangeAsync(world, b, w => w with { Gender = "female", YearsOfExperience = 8, Documents = w.Documents with { SkillCertificate = "upl_cert", HealthCertificate = "upl_health" } });
        await ChangeAsync(world, c, w => w with { Gender = "male", YearsOfExperience = 2, Documents = w.Documents with { HealthCertificate = "upl_health2" } });
        await ChangeAsync(world, paused, w => w with { Accepting = false });
        var customer = await world.CustomerAsync();

        // Best rated first; the worker whose area does not reach the address and the one not accepting are not listed.
        var byRating = await ListAsync(world, customer);
        Assert.Equal([a.Id, c.Id, b.Id], Ids(byRating));
        Assert.DoesNotContain(far.Id, Ids(byRating));
        Assert.DoesNotContain(paused.Id, Ids(byRating));
        var cardA = byRating.GetProperty("items")[0];
        Assert.Equal(("张师傅", 12_000L, 0.0), (cardA.GetProperty("displayName").GetString(), cardA.GetProperty("priceFen").GetInt64(), cardA.GetProperty("distanceKm").GetDouble()));
        var cardB = byRating.GetProperty("items")[2];
        Assert.Equal(["skill", "health"], cardB.GetProperty("verifiedCertificates").EnumerateArray().Select(x => x.GetString()!));
        Assert.InRange(cardB.GetProperty("distanceKm").GetDouble(), 2.9, 3.1);
        Assert.Equal(10_000L, cardB.GetProperty("priceFen").GetInt64());
        Assert.False(cardB.TryGetProperty("documents", out _));
        Assert.False(cardB.TryGetProperty("idNumberMasked", out _));

        Assert.Equal([a.Id, b.Id, c.Id], Ids(await ListAsync(world, customer, "&sort=distance")));
        var byPrice = Ids(await ListAsync(world, customer, "&sort=price"));
        Assert.Equal(a.Id, byPrice[^1]);
        Assert.Equal(new[] { b.Id, c.Id }.Order(), byPrice[..2].Order());

        // Filters that exclude.
        Assert.Equal([a.Id, c.Id], Ids(await ListAsync(world, customer, "&minRating=4.5")));
        Assert.Equal([b.Id], Ids(await ListAsync(world, customer, "&minYears=5")));
        Assert.Equal([b.Id], Ids(await ListAsync(world, customer, "&gender=female")));
        Assert.Equal([b.Id], Ids(await ListAsync(world, customer, "&certificate=skill")));
        Assert.Equal([c.Id, b.Id], Ids(await ListAsync(world, customer, "&certificate=health")));
        Assert.Equal([c.Id, b.Id], Ids(await ListAsync(world, customer, "&maxPrice=11000")));
        Assert.Equal([a.Id], Ids(await ListAsync(world, customer, "&minPrice=11000")));

        // A day off tomorrow takes A out of "free tomorrow" and moves their soonest start.
        var tomorrow = DateOnly.FromDateTime(ZoneTime.ToLocal(factory.Clock.GetUtcNow(), BookingWorld.Shanghai)).AddDays(1);
        var plan = await (await a.Client.GetAsync("/api/worker/schedule/plan")).EnsureStatusAsync(HttpStatusCode.OK);
        var put = new HttpRequestMessage(HttpMethod.Put, "/api/worker/schedule/exceptions")
        {
            Content = JsonContent.Create(new { exceptions = new[] { new { date = tomorrow, kind = "dayOff" } } }, options: ApiClient.Json),
        };
        put.Headers.IfMatch.Add(plan.Headers.ETag!);
        await (await a.Client.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);
        var freeTomorrow = $"&freeOn={tomorrow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        Assert.Equal([c.Id, b.Id], Ids(await ListAsync(world, customer, freeTomorrow)));

        // Soonest: each card's start is the worker's first bookable start as availability shows it, and the list follows it.
        var bySoonest = (await ListAsync(world, customer, "&sort=soonest")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, bySoonest.Count);
        var starts = bySoonest.Select(e => e.GetProperty("soonestStart").GetDateTimeOffset()).ToList();
        Assert.Equal(starts.Order(), starts);
        var today = tomorrow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var week = tomorrow.AddDays(5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var card in bySoonest)
        {
            var id = card.GetProperty("id").GetString();
            var slots = await (await (await customer.Client.GetAsync(
                    $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={today}&to={week}&workerId={id}"))
                .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            Assert.Equal(slots.GetProperty("slots")[0].GetProperty("start").GetDateTimeOffset(), card.GetProperty("soonestStart").GetDateTimeOffset());
        }

        // Pages of one follow the order to the end; a token is only good for its own query.
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await ListAsync(world, customer, "&pageSize=1" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}"));
            seen.AddRange(Ids(page));
            token = page.TryGetProperty("continuationToken", out var t) ? t.GetString() : null;
        }
        while (token is not null && seen.Count < 10);
        Assert.Equal([a.Id, c.Id, b.Id], seen);
        var first = await ListAsync(world, customer, "&pageSize=1");
        var other = await customer.Client.GetAsync($"/api/customer/workers?itemId={world.ItemId}&addressId={customer.AddressId}&pageSize=1&sort=price" +
                                                   $"&continuationToken={Uri.EscapeDataString(first.GetProperty("continuationToken").GetString()!)}");
        Assert.Equal("invalid_continuation", await BookingWorld.FieldCodeAsync(await other.EnsureStatusAsync(HttpStatusCode.BadRequest), "continuationToken"));
    }

    [Theory]
    [InlineData("&sort=nearest", "sort", "invalid_choice")]
    [InlineData("&minRating=6", "minRating", "out_of_range")]
    [InlineData("&minPrice=20000&maxPrice=100", "minPrice", "min_above_max")]
    [InlineData("&freeOn=2026-13-01", "freeOn", "invalid_date")]
    [InlineData("&gender=x", "gender", "invalid_choice")]
    [InlineData("&certificate=id", "certificate", "invalid_choice")]
    [InlineData("&pageSize=0", "pageSize", "out_of_range")]
    public async Task Bad_filters_are_named(string query, string field, string code)
    {
        var world = await BookingWorld.StartAsync(factory);
        var customer = await world.CustomerAsync();
        var response = await customer.Client.GetAsync($"/api/customer/workers?itemId={world.ItemId}&addressId={customer.AddressId}{query}");
        Assert.Equal(code, await BookingWorld.FieldCodeAsync(await response.EnsureStatusAsync(HttpStatusCode.BadRequest), field));
    }

    [Fact]
    public async Task Workers_are_listed_only_for_a_signed_in_customers_own_address()
    {
        var world = await BookingWorld.StartAsync(factory);
        var customer = await world.CustomerAsync();
        var stranger = await world.CustomerAsync();
        var notMine = await stranger.Client.GetAsync($"/api/customer/workers?itemId={world.ItemId}&addressId={customer.AddressId}");
        Assert.Equal("unknown_reference", await BookingWorld.FieldCodeAsync(await notMine.EnsureStatusAsync(HttpStatusCode.BadRequest), "addressId"));
        var missing = await customer.Client.GetAsync("/api/customer/workers");
        Assert.Equal("required", await BookingWorld.FieldCodeAsync(await missing.EnsureStatusAsync(HttpStatusCode.BadRequest), "itemId"));
        await (await factory.CreateClient().GetAsync($"/api/customer/workers?itemId={world.ItemId}&addressId={customer.AddressId}")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
