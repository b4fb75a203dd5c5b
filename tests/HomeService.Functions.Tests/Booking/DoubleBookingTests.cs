using System.Diagnostics;
using System.Net;
using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Booking;
using HomeService.Functions.Tests.Support;
using Xunit.Abstractions;

namespace HomeService.Functions.Tests.Booking;

/// <summary>No double booking, ever: concurrent HTTP bookings against one worker's calendar.</summary>
[Collection(BookingCollection.Name)]
public sealed class DoubleBookingTests(BookingFactory factory, ITestOutputHelper output)
{
    [Fact]
    public async Task Booking_the_same_worker_and_slot_200_times_concurrently_yields_one_order()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var body = world.Body(customer, world.At(1, 10), worker.Id);

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => BookingWorld.BookAsync(customer.Client, body, $"race-{i}")));
        output.WriteLine($"200 concurrent bookings of one slot: {watch.ElapsedMilliseconds} ms");

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(199, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var codes = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Select(BookingWorld.ProblemCodeAsync));
        Assert.All(codes, c => Assert.Equal("slot_taken", c));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.Created).ReadAsync<OrderView>();
        var entry = Assert.Single((await world.CalendarAsync(worker.Id)).Reservations);
        Assert.Equal(winner.Id, entry.OrderId);
        Assert.Null(entry.HoldUntil);
    }

    [Fact]
    public async Task Interleaved_bookings_of_adjacent_slots_at_different_addresses_keep_buffer_and_travel_gaps()
    {
        var world = await BookingWorld.StartAsync(factory, durationMinutes: 60, bufferMinutes: 15);
        var worker = await world.WorkerAsync(radiusKm: 50);
        var customer = await world.CustomerAsync();
        // Addresses 0–12 km apart: travel between them is 15–38 minutes at 25 km/h with the 1.3 road factor.
        var places = new List<TestCustomer>();
        foreach (var km in new[] { 0.0, 4.0, 8.0, 12.0 })
        {
            places.Add(await world.AnotherAddressAsync(customer, BookingWorld.Center.Lat + km / 111.0, BookingWorld.Center.Lng));
        }

        var attempts = new List<(TestCustomer Place, DateTimeOffset Start)>();
        for (var slot = 0; slot < 24; slot++)
        {
            foreach (var place in places)
            {
                attempts.Add((place, world.At(2, 8).AddMinutes(30 * slot)));
            }
        }

        var shuffled = attempts.OrderBy(_ => Random.Shared.Next()).ToList();
        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(shuffled.Select(a => BookingWorld.BookAsync(customer.Client, world.Body(a.Place, a.Start, worker.Id))));
        output.WriteLine($"{shuffled.Count} interleaved bookings of adjacent slots: {watch.ElapsedMilliseconds} ms");

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var accepted = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.ReadAsync<OrderView>()));
        Assert.True(accepted.Length >= 4, $"only {accepted.Length} accepted");
        var calendar = await world.CalendarAsync(worker.Id);
        Assert.Equal(accepted.Select(o => o.Id).Order(), calendar.Reservations.Select(r => r.OrderId).Order());

        var travel = TravelRules.Default;
        var byId = calendar.Reservations.ToDictionary(r => r.OrderId);
        foreach (var a in accepted)
        {
            foreach (var b in accepted.Where(b => string.CompareOrdinal(a.Id, b.Id) < 0))
            {
                GeoPoint la = byId[a.Id].Location, lb = byId[b.Id].Location;
                Assert.False(WorkerCalendar.Clash(a.Start, a.End, la, b.Start, b.End, lb, travel, 15),
                    $"{a.Start:HH:mm}-{a.End:HH:mm} and {b.Start:HH:mm}-{b.End:HH:mm} are too close");
            }
        }

        output.WriteLine($"accepted {accepted.Length} of {responses.Length}");
    }
}
