using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Common;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>The booking app on a fake clock: the dispatch tests move the clock and let the order orchestrations act.</summary>
public sealed class DispatchFactory : BookingFactory;

[CollectionDefinition(Name)]
public sealed class DispatchCollection : ICollectionFixture<DispatchFactory>
{
    public const string Name = "dispatch";
}

/// <summary>
/// A city in one dispatch mode with its workers and customers (<see cref="BookingWorld"/>), plus what the payment and the
/// runtime would do: confirm payment through the lifecycle, and let the order orchestrations act — then deliver the side
/// effects of every event of the world's orders once more, backwards (an activity delivered twice, late and out of order).
/// </summary>
public sealed class DispatchWorld(DispatchFactory factory, BookingWorld booking)
{
    private readonly ConcurrentDictionary<string, bool> _orders = new();

    public DispatchFactory Factory { get; } = factory;
    public BookingWorld Booking { get; } = booking;
    public string CityId => Booking.CityId;

    /// <param name="visit">The city's visit rules (default: the defaults, an hour before the booked start at the earliest).</param>
    public static async Task<DispatchWorld> StartAsync(DispatchFactory factory, DispatchMode mode, int maxOfferRounds = 3, VisitPolicy? visit = null)
    {
        var booking = await BookingWorld.StartAsync(factory);
        var settings = CitySettingsDocument.Defaults(booking.CityId) with
        {
            Dispatch = new DispatchSettings(mode, ScoringWeights.Default),
            Lifecycle = new LifecycleMinutes(MaxOfferRounds: maxOfferRounds),
            Visit = visit ?? VisitPolicy.Default,
        };
        await factory.Services.GetRequiredService<CitySettingsStore>().WriteAsync(booking.CityId, settings, null, CancellationToken.None);
        return new DispatchWorld(factory, booking);
    }

    private OrderLifecycle Lifecycle => Factory.Services.GetRequiredService<OrderLifecycle>();

    /// <summary>Workers north of the centre, <paramref name="km"/> away: farther ones rank lower (travel time).</summary>
    public Task<TestWorker> WorkerAsync(double km = 0, double radiusKm = 30, double rating = 4.5) =>
        Booking.WorkerAsync(lat: BookingWorld.Center.Lat + km / 111.2, lng: BookingWorld.Center.Lng, radiusKm: radiusKm, rating: rating);

    public Task<TestCustomer> CustomerAsync() => Booking.CustomerAsync();

    /// <summary>At <paramref name="start"/> (default tomorrow 10:00 local).</summary>
    public async Task<OrderView> BookAsync(TestCustomer customer, string? workerId = null, DateTimeOffset? start = null)
    {
        var order = await Booking.BookOkAsync(customer, start ?? Booking.At(1, 10), workerId);
        _orders[order.Id] = true;
        return order;
    }

    /// <summary>What the payment callback will do once wired: ConfirmPayment through the lifecycle.</summary>
    public Task PayAsync(string orderId)
    {
        _orders[orderId] = true;
        return Lifecycle.ExecuteAsync(orderId, (order, now) => new ConfirmPayment($"pay-{orderId}", order.State.PriceTotalFen, now), CancellationToken.None);
    }

    public async Task<OrderDocument> OrderAsync(string orderId) => (await Lifecycle.FindAsync(orderId, CancellationToken.None))!;

    public async Task<bool> HoldsAsync(string workerId, string orderId) =>
        (await Booking.CalendarAsync(workerId)).Reservations.Any(r => r.OrderId == orderId);

    /// <summary>Books at <paramref name="hour"/> tomorrow, pays, and lets the worker serve it up to Completed.</summary>
    public async Task<string> ServedOrderAsync(TestCustomer customer, TestWorker worker, int hour)
    {
        var order = await BookAsync(customer, worker.Id, Booking.At(1, hour));
        await PayAsync(order.Id);
        await DeliverAsync();
        var at = new GeoPoint(BookingWorld.Center.Lat, BookingWorld.Center.Lng);
        foreach (var step in new Func<OrderDocument, DateTimeOffset, OrderCommand?>[]
                 {
                     (_, now) => new Accept(worker.Id, now),
                     (_, now) => new StartTrip(worker.Id, at, now.AddMinutes(20), now),
                     (_, now) => new Arrive(worker.Id, now),
                     (_, now) => new StartService(worker.Id, now),
                     (_, now) => new Complete(worker.Id, [], "done", now),
                 })
        {
            await Lifecycle.ExecuteAsync(order.Id, step, CancellationToken.None);
        }

        await DeliverAsync();
        Assert.Equal(OrderStatus.Completed, (await OrderAsync(order.Id)).Status);
        return order.Id;
    }

    public async Task AdvanceAndDeliverAsync(TimeSpan by)
    {
        Factory.Clock.Advance(by);
        await DeliverAsync();
    }

    /// <summary>
    /// Lets every order orchestration act on what happened and on the clock; then the world's orders get the side effects
    /// of their events once more, and act again.
    /// </summary>
    public async Task DeliverAsync()
    {
        var orchestrations = Factory.Orchestrations;
        await orchestrations.SettleAllAsync();
        foreach (var orderId in _orders.Keys)
        {
            await orchestrations.RedeliverAsync(orderId);
        }

        await orchestrations.SettleAllAsync();
    }
}
