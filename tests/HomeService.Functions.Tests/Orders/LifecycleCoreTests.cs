using System.Net;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Messaging;
using Microsoft.Extensions.Options;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Orders;

/// <summary>Booking on a fake clock; the order orchestrations run on the local host's task hub with timers on that clock.</summary>
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

    /// <summary>Signals that reach nobody while set: a process that dies between an order write and its signal.</summary>
    public bool DropSignals { get; set; }

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.AddSingleton<DurableOrderOrchestrations>();
        services.AddSingleton<IOrderOrchestrations>(sp => new DroppingSignals(sp.GetRequiredService<DurableOrderOrchestrations>(), this));
    }

    private sealed class DroppingSignals(IOrderOrchestrations inner, LifecycleFactory factory) : IOrderOrchestrations
    {
        public Task StartAsync(string orderId, CancellationToken ct) => inner.StartAsync(orderId, ct);

        public Task ChangedAsync(string orderId, bool orchestrationMayHaveFinished, CancellationToken ct) =>
            factory.DropSignals ? Task.CompletedTask : inner.ChangedAsync(orderId, orchestrationMayHaveFinished, ct);

        public Task<OrderLifecycleView?> DescribeAsync(string orderId, CancellationToken ct) => inner.DescribeAsync(orderId, ct);
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

    private static async Task<string[]> InboxAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/messages?pageSize=50")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
        .Select(m => m.GetProperty("key").GetString()!).ToArray();

    [Fact]
    public async Task A_booking_starts_the_orders_orchestration_which_tells_the_customer_and_waits_for_the_payment_deadline()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();

        var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id);
        var waiting = await factory.Orchestrations.SettleAsync(order.Id);

        Assert.NotNull(waiting);
        Assert.Equal((OrderStatus.PendingPayment, nameof(TimerKind.PaymentTimeout), order.PaymentDueAt), (waiting.Status, waiting.WaitingFor, waiting.Until));
        Assert.Equal(Read(order.Id).History.Count, waiting.Handled);
        Assert.Equal(["order.placed"], await InboxAsync(customer.Client));
    }

    [Fact]
    public async Task Payment_timeout_closes_the_order_and_frees_the_worker_once_however_often_it_is_delivered_and_not_a_minute_early()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(2, 10), worker.Id);
        await factory.Orchestrations.SettleAsync(order.Id);

        // A minute short of the deadline nothing happens.
        factory.Clock.Advance(TimeSpan.FromMinutes(14));
        await factory.Orchestrations.SettleAsync(order.Id);
        Assert.Equal(OrderStatus.PendingPayment, Read(order.Id).Status);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await factory.Orchestrations.SettleAsync(order.Id);
        await factory.Orchestrations.RedeliverAsync(order.Id);
        await factory.Orchestrations.RedeliverAsync(order.Id);

        var closed = Read(order.Id);
        Assert.Equal(OrderStatus.Closed, closed.Status);
        Assert.Single(closed.History.OfType<OrderClosedForNonPayment>());
        Assert.DoesNotContain((await world.CalendarAsync(worker.Id)).Reservations, r => r.OrderId == order.Id);
        Assert.Single(await InboxAsync(customer.Client), key => key == "order.closed-unpaid");
        // Nothing is left to wait for: the orchestration has finished.
        Assert.Null(await factory.Orchestrations.SettleAsync(order.Id));
    }

    [Fact]
    public async Task Every_event_of_an_order_goes_downstream_under_its_position_so_redeliveries_carry_the_same_id()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(4, 10), worker.Id);
        await factory.Orchestrations.SettleAsync(order.Id);
        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        await factory.Orchestrations.SettleAsync(order.Id);
        await factory.Orchestrations.RedeliverAsync(order.Id);

        var queueName = factory.Services.GetRequiredService<IOptions<IntegrationEventsOptions>>().Value.Queue;
        var queue = factory.Services.GetRequiredService<StorageClients>().Queue(queueName);
        var mine = new List<JsonElement>();
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } batch)
        {
            mine.AddRange(batch.Select(m => JsonDocument.Parse(m.Body).RootElement.Clone())
                .Where(e => e.GetProperty("applicationProperties").GetProperty("orderId").GetString() == order.Id));
        }

        // Published by the orchestration and again by the redelivery: the same ids, which the topic's duplicate detection drops.
        var byId = mine.GroupBy(e => e.GetProperty("messageId").GetString()!).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.Equal([$"{order.Id}:0", $"{order.Id}:1"], byId.Select(g => g.Key));
        Assert.All(byId, g => Assert.Equal(2, g.Count()));
        Assert.Equal(["OrderPlaced", "OrderClosedForNonPayment"], byId.Select(g => g.First().GetProperty("subject").GetString()));
        Assert.Equal(["pendingPayment", "closed"], byId.Select(g => g.First().GetProperty("applicationProperties").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_signal_lost_after_the_write_only_delays_and_a_refused_booking_starts_no_orchestration()
    {
        var world = await BookingWorld.StartAsync(factory);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var other = await world.CustomerAsync();
        var order = await world.BookOkAsync(customer, world.At(3, 10), worker.Id);
        await factory.Orchestrations.SettleAsync(order.Id);

        // The payment is written but its "order changed" never arrives (the process died in between).
        factory.DropSignals = true;
        try
        {
            await factory.Services.GetRequiredService<OrderLifecycle>().ExecuteAsync(order.Id,
                (o, now) => new ConfirmPayment("pay-lost-signal", o.State.PriceTotalFen, now), CancellationToken.None);
        }
        finally
        {
            factory.DropSignals = false;
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var unaware = await factory.Orchestrations.WaitingAsync(order.Id);
        Assert.Equal((1, nameof(TimerKind.PaymentTimeout)), (unaware!.Handled, unaware.WaitingFor));
        Assert.Equal((OrderStatus.Dispatching, 0), (Read(order.Id).Status, Read(order.Id).State.OfferRound));

        var before = await InstancesAsync();
        var refused = await BookingWorld.BookAsync(other.Client, world.Body(other, world.At(3, 10), worker.Id));
        await refused.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await InstancesAsync());

        // At the deadline it was waiting for, it reads the order again and catches up: the payment is seen, the offer made.
        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        var caughtUp = await factory.Orchestrations.SettleAsync(order.Id);
        var offered = Read(order.Id);
        Assert.Equal((OrderStatus.Offered, worker.Id), (offered.Status, offered.State.OfferedToWorkerId));
        Assert.Equal((nameof(TimerKind.OfferAcceptance), offered.History.Count), (caughtUp!.WaitingFor, caughtUp.Handled));
        Assert.Contains("order.paid", await InboxAsync(customer.Client));
    }

    private async Task<int> InstancesAsync()
    {
        var count = 0;
        await foreach (var _ in factory.Orchestrations.Client.GetAllInstancesAsync(new Microsoft.DurableTask.Client.OrchestrationQuery()))
        {
            count++;
        }

        return count;
    }
}
