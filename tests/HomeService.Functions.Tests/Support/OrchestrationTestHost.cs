// The analyzer looks for the activities in this compilation; these stand-ins are registered by name on purpose.
#pragma warning disable DURABLE2003
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DurableTask.Core;
using Grpc.Net.Client;
using HomeService.Domain.Orders;
using HomeService.Functions.Orders;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// The order orchestrator on the Durable Task engine in memory — DurableTaskTestHost's shape (InMemoryOrchestrationService
/// behind TaskHubGrpcServer, a worker and a client over gRPC) with the task hub's timers on a fake clock
/// (<see cref="TimeControlledTaskHub"/>), so a test advances minutes and days without waiting. The activities stand in
/// for the app's with one order kept in memory and changed only by the real decider.
/// </summary>
public sealed class OrchestrationTestHost : IAsyncDisposable
{
    private readonly string _address;
    private IHost _sidecar;
    private GrpcChannel _channel;
    private IHost _worker;

    private OrchestrationTestHost(string address, IHost sidecar, IHost worker, GrpcChannel channel, TimeControlledTaskHub hub, FakeTimeProvider clock, MemoryOrders orders)
    {
        _address = address;
        _sidecar = sidecar;
        _worker = worker;
        _channel = channel;
        Hub = hub;
        Clock = clock;
        Orders = orders;
    }

    public DurableTaskClient Client => _worker.Services.GetRequiredService<DurableTaskClient>();
    public TimeControlledTaskHub Hub { get; }
    public FakeTimeProvider Clock { get; }
    public MemoryOrders Orders { get; }

    /// <param name="tasks">What the worker runs (default: the order orchestrator with the in-memory order activities).</param>
    public static async Task<OrchestrationTestHost> StartAsync(DateTimeOffset start, Action<DurableTaskRegistry, MemoryOrders>? tasks = null)
    {
        var clock = new FakeTimeProvider(start);
        var memory = new InMemoryOrchestrationService();
        var hub = new TimeControlledTaskHub(memory, memory, clock);
        var orders = new MemoryOrders(clock);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var address = $"http://127.0.0.1:{port}";
        var sidecar = await StartSidecarAsync(address, hub);
        var channel = GrpcChannel.ForAddress(address);
        var worker = await StartWorkerAsync(channel, r => (tasks ?? OrderTasks)(r, orders));
        return new OrchestrationTestHost(address, sidecar, worker, channel, hub, clock, orders);
    }

    /// <summary>The order orchestrator and the activities of <see cref="MemoryOrders"/>.</summary>
    public static void OrderTasks(DurableTaskRegistry r, MemoryOrders orders)
    {
        r.AddOrchestrator(OrderOrchestrator.Name, typeof(OrderOrchestrator));
        r.AddActivityFunc<ReadOrderInput, OrderStep>(OrderActivities.Read, (_, i) => orders.Read(i));
        r.AddActivityFunc<OrderEventRef, bool>(OrderActivities.ReactToEvent, (_, i) => orders.React(i));
        r.AddActivityFunc<FireDeadlineInput, MoveOutcome>(OrderActivities.FireDeadline, (_, i) => orders.Fire(i));
        r.AddActivityFunc<OrderMoveInput, MoveOutcome>(OrderActivities.OfferNextWorker, (_, i) => orders.Offer(i));
        r.AddActivityFunc<OrderMoveInput, MoveOutcome>(OrderActivities.Settle, (_, i) => orders.Settle(i));
    }

    /// <summary>A deployment: the app stops and starts again with <paramref name="tasks"/>, on the same task hub (its state kept).</summary>
    public async Task RedeployAsync(Action<DurableTaskRegistry, MemoryOrders> tasks)
    {
        await _worker.StopAsync();
        _worker.Dispose();
        await _channel.ShutdownAsync();
        _channel.Dispose();
        await _sidecar.StopAsync();
        _sidecar.Dispose();
        _sidecar = await StartSidecarAsync(_address, Hub);
        _channel = GrpcChannel.ForAddress(_address);
        _worker = await StartWorkerAsync(_channel, r => tasks(r, Orders));
    }

    private static async Task<IHost> StartSidecarAsync(string address, TimeControlledTaskHub hub)
    {
        var sidecar = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureWebHostDefaults(web =>
            {
                web.UseUrls(address);
                web.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
                web.ConfigureServices(s =>
                {
                    s.AddGrpc();
                    s.AddSingleton<IOrchestrationService>(hub);
                    s.AddSingleton<IOrchestrationServiceClient>(hub);
                    s.AddSingleton<TaskHubGrpcServer>();
                });
                web.Configure(app => app.UseRouting().UseEndpoints(e => e.MapGrpcService<TaskHubGrpcServer>()));
            })
            .Build();
        await sidecar.StartAsync();
        return sidecar;
    }

    private static async Task<IHost> StartWorkerAsync(GrpcChannel channel, Action<DurableTaskRegistry> tasks)
    {
        var worker = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services =>
            {
                services.AddDurableTaskWorker(b =>
                {
                    b.UseGrpc(channel);
                    b.Configure(o => o.MaximumTimerInterval = TimeSpan.FromDays(3650));
                    b.AddTasks(tasks);
                });
                services.AddDurableTaskClient(b => { b.UseGrpc(channel); b.RegisterDirectly(); });
            })
            .Build();
        await worker.StartAsync();
        return worker;
    }

    /// <summary>Places the order and starts its orchestration, as booking does.</summary>
    public async Task PlaceAsync(string orderId, DispatchMode mode = DispatchMode.AutoAssign, DateTimeOffset? start = null)
    {
        var now = Clock.GetUtcNow();
        var scheduled = start ?? now.AddDays(3);
        Orders.Execute(orderId, new Place(new OrderDetails(orderId, "c-1", "city", "item", scheduled, scheduled.AddHours(2), new(31.23, 121.47), 19_900, mode,
            mode == DispatchMode.Designated ? "w-1" : null), LifecycleTimings.Default, now));
        await Client.ScheduleNewOrchestrationInstanceAsync(OrderOrchestrator.Name, new OrderLifecycleInput(orderId), new StartOrchestrationOptions(orderId));
    }

    /// <summary>A command from outside (a customer, a worker, a payment), then its "order changed".</summary>
    public async Task CommandAsync(string orderId, Func<OrderState, DateTimeOffset, OrderCommand> command)
    {
        Orders.Execute(orderId, command(Orders.State(orderId), Clock.GetUtcNow()));
        await Client.RaiseEventAsync(orderId, OrderOrchestrator.ChangedEvent, Clock.GetUtcNow());
    }

    /// <summary>Moves the clock, then waits until the orchestration has done all the clock and the order call for.</summary>
    public async Task<OrderLifecycleStatus?> AdvanceAsync(TimeSpan by, string orderId)
    {
        Clock.Advance(by);
        return await SettleAsync(orderId);
    }

    public async Task<OrderLifecycleStatus?> SettleAsync(string orderId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await Hub.ReleaseDueAsync();
            var instance = await Client.GetInstanceAsync(orderId, getInputsAndOutputs: true);
            if (instance?.RuntimeStatus == OrchestrationRuntimeStatus.Failed)
            {
                throw new Xunit.Sdk.XunitException($"The orchestration failed: {instance.FailureDetails}");
            }

            if (instance?.RuntimeStatus == OrchestrationRuntimeStatus.Completed)
            {
                return null;
            }

            if (instance is not null && DurableOrderOrchestrations.StatusOf(instance) is { Phase: "waiting" } waiting &&
                waiting.Handled == Orders.HistoryCount(orderId) && waiting.Until > Clock.GetUtcNow())
            {
                return waiting;
            }

            await Task.Delay(10);
        }

        throw new Xunit.Sdk.XunitException($"The orchestration of {orderId} did not settle.");
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync();
        _worker.Dispose();
        await _channel.ShutdownAsync();
        _channel.Dispose();
        await _sidecar.StopAsync();
        _sidecar.Dispose();
    }
}

/// <summary>Orders in memory, changed only through the decider, with the activities the orchestrator calls.</summary>
public sealed class MemoryOrders(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (OrderState State, List<OrderEvent> History)> _orders = new();

    /// <summary>Every event whose side effects ran, with how often (twice would be a bug of the orchestrator).</summary>
    public ConcurrentDictionary<(string OrderId, int Position), int> Reactions { get; } = new();

    /// <summary>Workers offered the order in turn: w-1, w-2, …</summary>
    public ConcurrentQueue<string> Offers { get; } = new();

    public OrderState State(string orderId) => _orders[orderId].State;

    public int HistoryCount(string orderId) => _orders.TryGetValue(orderId, out var o) ? o.History.Count : 0;

    public IReadOnlyList<OrderEvent> History(string orderId) => [.. _orders[orderId].History];

    public bool Execute(string orderId, OrderCommand command)
    {
        lock (_orders)
        {
            var (state, history) = _orders.GetValueOrDefault(orderId, (OrderState.Initial, new List<OrderEvent>()));
            var decision = OrderDecider.Decide(command, state);
            if (decision.Error is { } error)
            {
                throw new InvalidOperationException(error.Message);
            }

            history.AddRange(decision.Events);
            _orders[orderId] = (OrderDecider.Evolve(state, decision.Events), history);
            return decision.Events.Count > 0;
        }
    }

    public Task<OrderStep> Read(ReadOrderInput input) => Task.FromResult(_orders.TryGetValue(input.OrderId, out var o)
        ? new OrderStep(true, o.State.Status, o.History.Count, LifecyclePlanner.Next(o.State, clock.GetUtcNow(), input.Skip), clock.GetUtcNow())
        : new OrderStep(false, OrderStatus.None, 0, new LifecyclePlan(LifecycleMove.Wait), clock.GetUtcNow()));

    public Task<bool> React(OrderEventRef input)
    {
        Reactions.AddOrUpdate((input.OrderId, input.Position), 1, (_, n) => n + 1);
        return Task.FromResult(true);
    }

    public Task<MoveOutcome> Fire(FireDeadlineInput input)
    {
        var now = clock.GetUtcNow();
        if (now < input.Deadline.DueAt)
        {
            return Task.FromResult(new MoveOutcome(false, input.Deadline.DueAt));
        }

        var command = LifecyclePlanner.CommandFor(input.Deadline, State(input.OrderId), now);
        return Task.FromResult(new MoveOutcome(command is not null && Execute(input.OrderId, command)));
    }

    public Task<MoveOutcome> Offer(OrderMoveInput input)
    {
        var worker = $"w-{input.Round + 1}";
        Offers.Enqueue(worker);
        return Task.FromResult(new MoveOutcome(Execute(input.OrderId, new HomeService.Domain.Orders.Offer(worker, input.Round + 1, clock.GetUtcNow()))));
    }

    public Task<MoveOutcome> Settle(OrderMoveInput input) =>
        Task.FromResult(new MoveOutcome(Execute(input.OrderId, new MarkSettled($"settle:{input.OrderId}", clock.GetUtcNow()))));
}
