using System.Net;
using HomeService.Functions.Booking;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Scheduling;

[Collection(BookingCollection.Name)]
public sealed class ManyCandidatesTests(BookingFactory factory)
{
    /// <summary>
    /// More workers than one query page (500 rows) and more plans + calendars than one page of `schedules`:
    /// every candidate counts in availability and an auto-assigned booking lands, never a 500.
    /// </summary>
    [Fact]
    public async Task Availability_and_auto_assigned_booking_read_every_page_of_a_city_with_more_candidates_than_one_page()
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
        Assert.Equal(workers.Count - 1, atTen.WorkerCount);
        Assert.Equal(workers.Count, availability.Slots.Max(s => s.WorkerCount));
    }
}
