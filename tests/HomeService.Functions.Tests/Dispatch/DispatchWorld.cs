using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Messaging;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>The booking app with a recording transport: the dispatch tests play the queue host themselves.</summary>
public sealed class DispatchFactory : BookingFactory
{
    public RecordingTransport Transport => Services.GetRequiredService<RecordingTransport>();

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.AddRecordingTransport();
    }
}

[CollectionDefinition(Name)]
public sealed class DispatchCollection : ICollectionFixture<DispatchFactory>
{
    public const string Name = "dispatch";
}

/// <summary>
/// A city in one dispatch mode with its workers and customers (<see cref="BookingWorld"/>), plus what the payment and the
/// Functions host would do: confirm payment through the lifecycle, and deliver queue messages to the queue functions —
/// every message twice, each batch first backwards and then forwards.
/// </summary>
public sealed class DispatchWorld(DispatchFactory factory, BookingWorld booking)
{
    public DispatchFactory Factory { get; } = factory;
    public BookingWorld Booking { get; } = booking;
    public string CityId => Booking.CityId;

    public static async Task<DispatchWorld> StartAsync(DispatchFactory factory, DispatchMode mode, int maxOfferRounds = 3)
    {
        var booking = await BookingWorld.StartAsync(factory);
        var settings = CitySettingsDocument.Defaults(booking.CityId) with
        {
            Dispatch = new DispatchSettings(mode, ScoringWeights.Default),
            Lifecycle = new LifecycleMinutes(MaxOfferRounds: maxOfferRounds),
        };
        await factory.Services.GetRequiredService<CitySettingsStore>().WriteAsync(booking.CityId, settings, null, CancellationToken.None);
        return new DispatchWorld(factory, booking);
    }

    private OrderLifecycle Lifecycle => Factory.Services.GetRequiredService<OrderLifecycle>();

    /// <summary>Workers north of the centre, <paramref name="km"/> away: farther ones rank lower (travel time).</summary>
    public Task<TestWorker> WorkerAsync(double km = 0, double radiusKm = 30, double rating = 4.5) =>
        Booking.WorkerAsync(lat: BookingWorld.Center.Lat + km / 111.2, lng: BookingWorld.Center.Lng, radiusKm: radiusKm, rating: rating);

    public Task<TestCustomer> CustomerAsync() => Booking.CustomerAsync();

    /// <summary>Tomorrow 10:00 local.</summary>
    public Task<OrderView> BookAsync(TestCustomer customer, string? workerId = null) => Booking.BookOkAsync(customer, Booking.At(1, 10), workerId);

    /// <summary>What the payment callback will do once wired: ConfirmPayment through the lifecycle.</summary>
    public Task PayAsync(string orderId) =>
        Lifecycle.ExecuteAsync(orderId, (order, now) => new ConfirmPayment($"pay-{orderId}", order.State.PriceTotalFen, now), CancellationToken.None);

    public async Task<OrderDocument> OrderAsync(string orderId) => (await Lifecycle.FindAsync(orderId, CancellationToken.None))!;

    public async Task<bool> HoldsAsync(string workerId, string orderId) =>
        (await Booking.CalendarAsync(workerId)).Reservations.Any(r => r.OrderId == orderId);

    public async Task AdvanceAndDeliverAsync(TimeSpan by)
    {
        Factory.Clock.Advance(by);
        await DeliverAsync();
    }

    /// <summary>Delivers every due message, twice and out of order, until the app sends nothing new.</summary>
    public async Task DeliverAsync()
    {
        var host = Factory;
        for (var pass = 0; pass < 50; pass++)
        {
            var due = Factory.Transport.TakeDue(Factory.Clock.GetUtcNow());
            if (due.Count == 0)
            {
                return;
            }

            foreach (var message in due.AsEnumerable().Reverse().Concat(due))
            {
                await RecordingTransport.DeliverAsync(host, message);
            }
        }

        throw new Xunit.Sdk.XunitException("Messages kept coming after 50 delivery passes.");
    }
}
