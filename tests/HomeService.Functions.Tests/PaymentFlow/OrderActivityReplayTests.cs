using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Hosting;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Money;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>
/// The order orchestration's activities delivered again — late, out of order, or forged with inputs nobody scheduled — as a
/// Durable runtime may deliver one twice. They change nothing the second time, and money only ever moves from what the
/// stored order says.
/// </summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class OrderActivityReplayTests(PaymentFlowFactory factory)
{
    private async Task<object?> RunAsync(string activity, object input)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var run = await factory.Functions.InvokeActivityAsync(FunctionCatalog.Get(activity), input, scope.ServiceProvider, "replay");
        Assert.True(run.Succeeded, $"{activity} failed: {run.Error}");
        return run.ReturnValue;
    }

    /// <summary>A served, confirmed order whose complaint window has closed and which the orchestration settled.</summary>
    private async Task<(PaymentFlowWorld World, TestWorker Worker, OrderView Order)> SettledOrderAsync()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, order, confirmed) = await world.ConfirmedOrderAsync(daysAhead: 1, hour: 16);
        factory.Clock.Advance(confirmed.State.Timings.ComplaintWindow + TimeSpan.FromMinutes(1));
        await world.DeliverAsync(order.Id);
        Assert.Equal(OrderStatus.Settled, (await world.OrderAsync(order.Id)).Status);
        return (world, worker, order);
    }

    [Fact]
    public async Task Every_activity_delivered_again_after_the_order_settled_changes_nothing()
    {
        var (world, worker, order) = await SettledOrderAsync();
        var before = await world.OrderAsync(order.Id);
        var wallet = await worker.Client.WalletAsync();
        var ledger = (await world.LedgerAsync(order.Id)).Keys.Order().ToArray();

        var settleAgain = (MoveOutcome)(await RunAsync(OrderActivities.Settle, new OrderMoveInput(order.Id)))!;
        var offerAgain = (MoveOutcome)(await RunAsync(OrderActivities.OfferNextWorker, new OrderMoveInput(order.Id, 0)))!;
        var fireAgain = new List<MoveOutcome>();
        foreach (var deadline in before.History.OfType<OrderConfirmed>().Select(c => new Deadline(TimerKind.SettlementDue, c.SettlementDueAt))
                     .Append(new Deadline(TimerKind.PaymentTimeout, order.PaymentDueAt!.Value)))
        {
            fireAgain.Add((MoveOutcome)(await RunAsync(OrderActivities.FireDeadline, new FireDeadlineInput(order.Id, deadline)))!);
        }

        for (var position = 0; position < before.History.Count; position++)
        {
            Assert.True((bool)(await RunAsync(OrderActivities.ReactToEvent, new OrderEventRef(order.Id, position)))!);
        }

        var step = (OrderStep)(await RunAsync(OrderActivities.Read, new ReadOrderInput(order.Id, [])))!;
        Assert.False(settleAgain.Changed);
        Assert.False(offerAgain.Changed);
        Assert.All(fireAgain, f => Assert.False(f.Changed));
        Assert.Equal(LifecycleMove.Finish, step.Plan.Move);
        var after = await world.OrderAsync(order.Id);
        Assert.Equal((before.ETag, before.History.Count), (after.ETag, after.History.Count));
        Assert.Equal(wallet with { UpdatedAt = null }, (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        Assert.Equal(ledger, (await world.LedgerAsync(order.Id)).Keys.Order());
        await world.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Forged_or_early_deliveries_cannot_move_money_to_anyone_the_order_does_not_name()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, _, order) = await world.PaidOrderAsync(daysAhead: 2, hour: 16);
        var bystander = await world.Booking.WorkerAsync();
        var ledger = (await world.LedgerAsync(order.Id)).Keys.Order().ToArray();

        // A settle the order is not due for, an event position that does not exist, a deadline it never had, a signal.
        Assert.False(((MoveOutcome)(await RunAsync(OrderActivities.Settle, new OrderMoveInput(order.Id)))!).Changed);
        Assert.False((bool)(await RunAsync(OrderActivities.ReactToEvent, new OrderEventRef(order.Id, 999)))!);
        var forgedDue = new Deadline(TimerKind.SettlementDue, factory.Clock.GetUtcNow().AddDays(-1));
        Assert.False(((MoveOutcome)(await RunAsync(OrderActivities.FireDeadline, new FireDeadlineInput(order.Id, forgedDue)))!).Changed);
        await factory.Orchestrations.Client.RaiseEventAsync(order.Id, OrderOrchestrator.ChangedEvent, factory.Clock.GetUtcNow());
        await world.DeliverAsync(order.Id);

        Assert.Equal(ledger, (await world.LedgerAsync(order.Id)).Keys.Order());
        Assert.Equal(0, (await worker.Client.WalletAsync()).TotalEarnedFen);
        Assert.Equal(0, (await bystander.Client.WalletAsync()).TotalEarnedFen);
        Assert.NotEqual(OrderStatus.Settled, (await world.OrderAsync(order.Id)).Status);
        await world.AssertLedgerBalancedAsync();
    }
}
