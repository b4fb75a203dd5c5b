using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Scheduling;

[Collection(BookingCollection.Name)]
public sealed class ScheduleTests(BookingFactory factory)
{
    private static HttpRequestMessage Put(string url, object body, string? etag) =>
        new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body, options: ApiClient.Json) }.WithIfMatch(etag);

    [Fact]
    public async Task A_worker_sets_a_plan_with_breaks_and_a_day_off_and_sees_them_in_the_calendar()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var read = await worker.Client.GetAsync("/api/worker/schedule/plan");
        var etag = read.Headers.ETag!.Tag;
        var days = new[] { DayOfWeek.Tuesday, DayOfWeek.Wednesday }.Select(d => new
        {
            day = d, work = new[] { new { start = "09:00", end = "18:00" } }, breaks = new[] { new { start = "12:00", end = "13:00" } },
        });

        var saved = await worker.Client.SendAsync(Put("/api/worker/schedule/plan", new { days }, etag));
        var stale = await worker.Client.SendAsync(Put("/api/worker/schedule/plan", new { days }, etag));
        var noIfMatch = await worker.Client.SendAsync(Put("/api/worker/schedule/plan", new { days }, null));
        await saved.EnsureStatusAsync(HttpStatusCode.OK);
        await stale.EnsureStatusAsync(HttpStatusCode.PreconditionFailed);
        await noIfMatch.EnsureStatusAsync((HttpStatusCode)428);

        var tuesday = DateOnly.FromDateTime(world.At(1, 0).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var exceptions = new[] { new { date = tuesday.AddDays(1), kind = "dayOff" } };
        await (await worker.Client.SendAsync(Put("/api/worker/schedule/exceptions", new { exceptions }, saved.Headers.ETag!.Tag))).EnsureStatusAsync(HttpStatusCode.OK);
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(1, 9), worker.Id);

        var calendar = await (await (await worker.Client.GetAsync($"/api/worker/schedule?from={tuesday:yyyy-MM-dd}&to={tuesday.AddDays(1):yyyy-MM-dd}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<CalendarView>();

        Assert.Equal("Asia/Shanghai", calendar.TimeZone);
        Assert.Equal([(world.At(1, 9), world.At(1, 12)), (world.At(1, 13), world.At(1, 18))], calendar.Windows.Select(w => (w.Start, w.End)));
        var reservation = Assert.Single(calendar.Reservations);
        Assert.Equal((order.Id, tuesday, "09:00", "11:00", false), (reservation.OrderId, reservation.LocalDate, reservation.LocalStart, reservation.LocalEnd, reservation.Held));
    }

    [Fact]
    public async Task An_invalid_plan_is_a_400_with_the_domain_field_names()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var etag = (await worker.Client.GetAsync("/api/worker/schedule/plan")).Headers.ETag!.Tag;
        var days = new object[]
        {
            new { day = "monday", work = new[] { new { start = "09:00", end = "13:00" }, new { start = "12:00", end = "18:00" } } },
            new { day = "monday", work = new[] { new { start = "25:00", end = "18:00" } } },
            new { day = "friday", work = new[] { new { start = "09:00", end = "12:00" } }, breaks = new[] { new { start = "13:00", end = "14:00" } } },
        };

        var response = await worker.Client.SendAsync(Put("/api/worker/schedule/plan", new { days }, etag));

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var fields = (await response.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("invalid_time", fields.GetProperty("days[1].work[0].start")[0].GetString());
        var domain = await worker.Client.SendAsync(Put("/api/worker/schedule/plan", new { days = new[] { days[0], days[2] } }, etag));
        var domainFields = (await domain.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("overlap", domainFields.GetProperty("days[0].work[1]")[0].GetString());
        Assert.Equal("break_outside_work", domainFields.GetProperty("days[1].breaks[0]")[0].GetString());
        var customer = await factory.NewCustomerAsync();
        await (await customer.GetAsync("/api/worker/schedule/plan")).EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Availability_lists_starts_with_worker_counts_and_drops_taken_ones()
    {
        var world = await BookingWorld.StartAsync(factory);
        var a = await world.WorkerAsync(from: "09:00", to: "13:00");
        await world.WorkerAsync(from: "11:00", to: "15:00");
        var customer = await world.CustomerAsync();
        var day = DateOnly.FromDateTime(world.At(1, 12).ToOffset(TimeSpan.FromHours(8)).DateTime);
        var url = $"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";

        var before = await (await (await customer.Client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<AvailabilityView>();
        Assert.Equal(
            [(9, 0, 1), (9, 30, 1), (10, 0, 1), (10, 30, 1), (11, 0, 2), (11, 30, 1), (12, 0, 1), (12, 30, 1), (13, 0, 1)],
            before.Slots.Select(s => (s.Start.ToOffset(TimeSpan.FromHours(8)).Hour, s.Start.ToOffset(TimeSpan.FromHours(8)).Minute, s.WorkerCount)));

        await world.BookOkAsync(customer, world.At(1, 9), a.Id); // 09:00–11:00 + 30 min buffer + 15 min travel
        var after = await (await customer.Client.GetAsync(url)).ReadAsync<AvailabilityView>();
        Assert.Equal([(11, 0, 1), (11, 30, 1), (12, 0, 1), (12, 30, 1), (13, 0, 1)],
            after.Slots.Select(s => (s.Start.ToOffset(TimeSpan.FromHours(8)).Hour, s.Start.ToOffset(TimeSpan.FromHours(8)).Minute, s.WorkerCount)));
        var onlyA = await (await customer.Client.GetAsync(url + $"&workerId={a.Id}")).ReadAsync<AvailabilityView>();
        Assert.Empty(onlyA.Slots);

        var tooLong = await customer.Client.GetAsync($"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={day:yyyy-MM-dd}&to={day.AddDays(30):yyyy-MM-dd}");
        Assert.Equal("range_too_long", await BookingWorld.FieldCodeAsync(tooLong, "to"));
        var stranger = await world.CustomerAsync();
        var notMine = await stranger.Client.GetAsync(url);
        Assert.Equal("unknown_reference", await BookingWorld.FieldCodeAsync(notMine, "addressId"));
    }

    [Theory]
    [InlineData("0001-01-01", "0001-01-02", "from")]
    [InlineData("9999-12-30", "9999-12-31", "from")]
    [InlineData("2026-12-01", "9999-12-30", "to")]
    public async Task Dates_beyond_what_a_city_zone_can_convert_are_a_400_naming_the_field_for_availability_and_the_schedule(string from, string to, string field)
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();

        var availability = await customer.Client.GetAsync($"/api/customer/availability?itemId={world.ItemId}&addressId={customer.AddressId}&from={from}&to={to}");
        var schedule = await worker.Client.GetAsync($"/api/worker/schedule?from={from}&to={to}");

        foreach (var response in new[] { availability, schedule })
        {
            await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
            Assert.Equal("out_of_range", await BookingWorld.FieldCodeAsync(response, field));
        }
    }

    [Fact]
    public async Task Admins_read_default_city_settings_and_change_them_with_if_match_and_booking_follows()
    {
        var world = await BookingWorld.StartAsync(factory);
        var admin = await factory.AdminAsync();
        var url = $"/api/admin/cities/{world.CityId}/settings";

        var defaults = await (await (await admin.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<CitySettingsDocument>();
        Assert.Equal((120, 30, 30), (defaults.Booking!.MinimumNoticeMinutes, defaults.Booking.HorizonDays, defaults.Booking.SlotStepMinutes));
        Assert.Equal(15, defaults.Lifecycle!.PaymentTimeoutMinutes);

        var changed = defaults with { Booking = defaults.Booking with { MinimumNoticeMinutes = 60 * 24 * 2 }, Lifecycle = defaults.Lifecycle with { PaymentTimeoutMinutes = 30 } };
        var created = await admin.SendAsync(Put(url, changed, null));
        await created.EnsureStatusAsync(HttpStatusCode.OK);
        await (await admin.SendAsync(Put(url, changed, null))).EnsureStatusAsync((HttpStatusCode)428);
        var invalid = await admin.SendAsync(Put(url, changed with { Booking = changed.Booking with { SlotStepMinutes = 1 } }, created.Headers.ETag!.Tag));
        Assert.Equal("out_of_range", await BookingWorld.FieldCodeAsync(invalid, "booking.slotStepMinutes"));
        await (await (await factory.NewCustomerAsync()).GetAsync(url)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await admin.GetAsync("/api/admin/cities/no-such-city/settings")).EnsureStatusAsync(HttpStatusCode.NotFound);

        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var tooSoon = await BookingWorld.BookAsync(customer.Client, world.Body(customer, world.At(1, 10), worker.Id));
        Assert.Equal("too_soon", await BookingWorld.FieldCodeAsync(tooSoon, "start"));
        var order = await world.BookOkAsync(customer, world.At(3, 10), worker.Id);
        Assert.Equal(factory.Clock.GetUtcNow().AddMinutes(30), order.PaymentDueAt);
    }

    [Fact]
    public async Task A_citys_commission_has_one_source_the_commission_settings_validated_and_used_by_settlement()
    {
        var world = await BookingWorld.StartAsync(factory);
        var admin = await factory.AdminAsync();
        var url = $"/api/admin/cities/{world.CityId}/settings";

        // The city settings show what settlement takes in the city: the commission settings' default (10 %).
        var read = await (await (await admin.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<CitySettingsDocument>();
        Assert.Equal(1_000, read.CommissionRateBps);
        // They show it but do not set it: another value is refused, naming the field; the same value may be echoed.
        var refused = await admin.SendAsync(Put(url, read with { CommissionRateBps = 2_000 }, null));
        Assert.Equal("read_only", await BookingWorld.FieldCodeAsync(await refused.EnsureStatusAsync(HttpStatusCode.BadRequest), "commissionRateBps"));
        await (await admin.SendAsync(Put(url, read, null))).EnsureStatusAsync(HttpStatusCode.OK);

        // The city's rate is set in the commission settings, within 5–15 %.
        async Task<(HttpResponseMessage Response, int Index)> SetCityRateAsync(int rateBps)
        {
            var current = await (await admin.GetAsync("/api/admin/settings/commission")).EnsureStatusAsync(HttpStatusCode.OK);
            var body = JsonNode.Parse(await current.Content.ReadAsStringAsync())!;
            var rates = new JsonArray([.. (body["rates"] as JsonArray ?? []).Where(r => r!["cityId"]?.GetValue<string>() != world.CityId).Select(r => r!.DeepClone())]);
            rates.Add(new JsonObject { ["cityId"] = world.CityId, ["rateBps"] = rateBps });
            body["rates"] = rates;
            var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/settings/commission") { Content = JsonContent.Create(body) }.WithIfMatch(current.Headers.ETag!.Tag);
            return (await admin.SendAsync(put), rates.Count - 1);
        }

        var (tooHigh, index) = await SetCityRateAsync(2_000);
        Assert.Equal("out_of_range", await BookingWorld.FieldCodeAsync(await tooHigh.EnsureStatusAsync(HttpStatusCode.BadRequest), $"rates[{index}].rateBps"));
        await (await SetCityRateAsync(1_200)).Response.EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(1_200, (await (await admin.GetAsync(url)).ReadAsync<CitySettingsDocument>()).CommissionRateBps);
        var worker = await world.WorkerAsync();
        var settled = await factory.Services.GetRequiredService<HomeService.Functions.Money.SettlementService>().SettleAsync(
            $"ord_{Guid.NewGuid():N}", 10_000, 0, world.CityId, "cleaning", worker.Id, null, factory.Clock.GetUtcNow(), CancellationToken.None);
        Assert.Equal((1_200, 1_200L), (settled.CommissionRateBps, settled.CommissionFen));
    }
}
