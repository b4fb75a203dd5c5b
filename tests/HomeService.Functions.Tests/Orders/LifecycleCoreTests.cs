using System.Net;
using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Orders;

/// <summary>Booking on a fake clock with the transport recorded, so tests deliver the outbox themselves.</summary>
public class LifecycleFactory : BookingFactory
{
    public LifecycleFactory()
        : this(null, null)
    {
    }

    protected LifecycleFactory(string? databaseName, DateTimeOffset? start)
        : base(databaseName, start)
    {
    }

    public RecordingTransport Transport => Services.GetRequiredService<RecordingTransport>();

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.AddRecordingTransport();
    }
}

[CollectionDefinition(Name)]
public sealed class LifecycleCollection : ICollectionFixture<LifecycleFactory>
{
    public const string Name = "lifecycle";
}

[Collection(LifecycleCollection.Name)]
public sealed class LifecycleCoreTests(LifecycleFactory factory)
{
    private OrderDocument Read(string orderId) =>
        factory.Services.GetRequiredService<CosmosDb>().Orders.ReadOrNullAsync<OrderDocument>(orderId, orderId, CancellationToken.None).GetAwaiter().GetResult()!.Resource;

    private static OrderTimerMessage Timer(SentMessage message) => JsonSerializer.Deserialize<OrderTimerMessage>(message.Body, CosmosDb.JsonOptions)!;

    private static OrderEventMessage Event(SentMessage message) => JsonSerializer.Deserialize<OrderEventMessage>(message.Body, CosmosDb.JsonOptions)!;

    [Fact]
    public async Task A_booking_relays_its_placed_event_and_payment_timer_and_empties_the_outbox()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();

        var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id);

        var sent = factory.Transport.For(order.Id);
        var placed = Event(Assert.Single(sent, m => m.Queue == OrderQueues.Events));
        Assert.IsType<OrderPlaced>(placed.Event);
        var timer = Assert.Single(sent, m => m.Queue == OrderQueues.Timers);
        Assert.Equal(TimerKind.PaymentTimeout, Timer(timer).Kind);
        Assert.Equal(order.PaymentDueAt, timer.VisibleAt);
        Assert.Empty(Read(order.Id).Outbox);
    }

    [Fact]
    public async Task Payment_timeout_closes_the_order_and_frees_the_worker_once_however_often_and_early_it_is_delivered()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(2, 10), worker.Id);
        var host = factory;
        var timer = Assert.Single(factory.Transport.For(order.Id), m => m.Queue == OrderQueues.Timers);

        // Early (e.g. a chained long delay): nothing happens, and it is queued again for the rest of its wait.
        await RecordingTransport.DeliverAsync(host, OrderTimerFunction.Name, timer.Body);
        Assert.Equal(OrderStatus.PendingPayment, Read(order.Id).Status);
        Assert.Equal(2, factory.Transport.For(order.Id).Count(m => m.Queue == OrderQueues.Timers));

        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        await RecordingTransport.DeliverAsync(host, OrderTimerFunction.Name, timer.Body, dequeueCount: 2);
        await RecordingTransport.DeliverAsync(host, OrderTimerFunction.Name, timer.Body, dequeueCount: 3);

        var closed = Read(order.Id);
        Assert.Equal(OrderStatus.Closed, closed.Status);
        Assert.Single(closed.History.OfType<OrderClosedForNonPayment>());
        var closedEvent = Assert.Single(factory.Transport.For(order.Id), m => m.Queue == OrderQueues.Events && Event(m).Event is OrderClosedForNonPayment);
        await RecordingTransport.DeliverAsync(host, OrderEventFunction.Name, closedEvent.Body);
        await RecordingTransport.DeliverAsync(host, OrderEventFunction.Name, closedEvent.Body, dequeueCount: 2);

        Assert.DoesNotContain((await world.CalendarAsync(worker.Id)).Reservations, r => r.OrderId == order.Id);
        var inbox = await (await customer.Client.GetAsync("/api/messages")).ReadJsonAsync();
        Assert.Single(inbox.GetProperty("items").EnumerateArray(), m => m.GetProperty("key").GetString() == "order.closed-unpaid");
    }

    [Fact]
    public async Task A_relay_that_dies_after_the_write_leaves_the_messages_for_the_sweep_and_nothing_leaves_for_a_refused_write()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var other = await world.CustomerAsync();

        factory.Transport.Fail = true;
        OrderView order;
        try
        {
            order = await world.BookOkAsync(customer, world.At(3, 10), worker.Id);
        }
        finally
        {
            factory.Transport.Fail = false;
        }

        Assert.Empty(factory.Transport.For(order.Id));
        Assert.Equal(2, Read(order.Id).Outbox.Count);

        var before = factory.Transport.Sent.Count;
        var refused = await BookingWorld.BookAsync(other.Client, world.Body(other, world.At(3, 10), worker.Id));
        await refused.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, factory.Transport.Sent.Count);

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await Hosting_timer(OrderOutboxSweep.Name);

        Assert.Empty(Read(order.Id).Outbox);
        Assert.Equal(2, factory.Transport.For(order.Id).Count);
    }

    private Task Hosting_timer(string name) => factory.InvokeTimerAsync(name, factory.Clock.GetUtcNow());
}
