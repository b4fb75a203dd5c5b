using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Booking;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class RecurringBookingTests(BookingFactory factory)
{
    private static Task<HttpResponseMessage> BookSeriesAsync(HttpClient client, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders/recurring") { Content = JsonContent.Create(body, options: ApiClient.Json) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task A_weekly_series_books_one_order_per_occurrence_and_reports_the_ones_it_cannot_hold()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var first = world.At(2, 10);
        var blocked = await world.BookOkAsync(await world.CustomerAsync(), world.At(16, 10), worker.Id); // the 3rd visit's time
        var body = new { itemId = world.ItemId, addressId = customer.AddressId, start = first, workerId = worker.Id, quantity = 1, frequency = "weekly", occurrences = 4 };

        var series = await (await (await BookSeriesAsync(customer.Client, body, "series-1")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<SeriesView>();

        Assert.Equal([first, world.At(9, 10), world.At(23, 10)], series.Orders.Select(o => o.Start));
        Assert.All(series.Orders, o => Assert.Equal(series.SeriesId, o.SeriesId));
        Assert.Equal([1, 2, 4], series.Orders.Select(o => o.Occurrence!.Value));
        var skipped = Assert.Single(series.Skipped);
        Assert.Equal((3, world.At(16, 10), "slot_taken"), (skipped.Index, skipped.Start, skipped.Reason));
        var calendar = await world.CalendarAsync(worker.Id);
        Assert.Equal(series.Orders.Select(o => o.Id).Append(blocked.Id).Order(), calendar.Reservations.Select(r => r.OrderId).Order());

        var replay = await (await (await BookSeriesAsync(customer.Client, body, "series-1")).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<SeriesView>();
        Assert.Equal(series.SeriesId, replay.SeriesId);
        Assert.Equal(series.Orders.Select(o => o.Id), replay.Orders.Select(o => o.Id));
        Assert.Equal(4, (await world.CalendarAsync(worker.Id)).Reservations.Count);
    }

    [Fact]
    public async Task A_series_without_a_designated_worker_keeps_the_first_visits_worker_and_validates_its_fields()
    {
        var world = await BookingWorld.StartAsync(factory);
        await world.WorkerAsync(lat: 31.2404, rating: 4.9);
        await world.WorkerAsync(lat: 31.2304, rating: 3.0);
        var customer = await world.CustomerAsync();

        var series = await (await (await BookSeriesAsync(customer.Client, new
        {
            itemId = world.ItemId, addressId = customer.AddressId, start = world.At(1, 9), frequency = "every2weeks", occurrences = 3,
        }, "series-2")).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<SeriesView>();
        Assert.Equal(3, series.Orders.Count);
        Assert.Single(series.Orders.Select(o => o.WorkerId).Distinct());
        Assert.Equal(world.At(29, 9), series.Orders[^1].Start);

        var invalid = await BookSeriesAsync(customer.Client, new
        {
            itemId = world.ItemId, addressId = customer.AddressId, start = world.At(1, 9), frequency = "monthly", occurrences = 13,
        }, "series-3");
        await invalid.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var fields = (await invalid.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("invalid_frequency", fields.GetProperty("frequency")[0].GetString());
        Assert.Equal("out_of_range", fields.GetProperty("occurrences")[0].GetString());
    }
}
