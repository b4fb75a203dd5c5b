using System.Net;
using HomeService.Domain.Orders;
using HomeService.Functions.Money;
using HomeService.Functions.Tests.Money;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>From a paid order to the worker's wallet: completion, confirmation, the settlement-due timer, the split.</summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class PaymentFlowSettlementTests(PaymentFlowFactory factory)
{
    [Fact]
    public async Task A_confirmed_order_is_settled_once_the_complaint_window_closes_and_double_delivery_changes_nothing()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, order, confirmed) = await world.ConfirmedOrderAsync(daysAhead: 1, hour: 14);
        Assert.Equal(OrderStatus.Confirmed, confirmed.Status);
        Assert.Equal(0, (await worker.Client.WalletAsync()).AvailableFen);

        // The complaint window closes: the settlement-due timer fires (twice, as every message here).
        factory.Clock.Advance(confirmed.State.Timings.ComplaintWindow + TimeSpan.FromMinutes(1));
        await world.DeliverAsync(order.Id);

        var total = order.Price.TotalFen;
        var commission = total / 10; // the default 10 %, rounded in the platform's disfavour
        var settled = await world.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Settled, settled.Status);
        var wallet = await worker.Client.WalletAsync();
        Assert.Equal((total - commission, total - commission), (wallet.AvailableFen, wallet.TotalEarnedFen));
        var ledger = await world.LedgerAsync(order.Id);
        var settlement = ledger[$"settle:{order.Id}"];
        Assert.Equal(commission, settlement.Postings.Single(p => p.Account == "platform:commission").AmountFen);
        Assert.Equal(0, PaymentFlowWorld.BalanceOf(ledger.Values, "clearing:customer-payments"));
        await world.AssertLedgerBalancedAsync();
        var messages = await (await (await worker.Client.GetAsync("/api/messages")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Contains(messages.GetProperty("items").EnumerateArray(), m => m.GetProperty("key").GetString() == "order.settled");

        // Every message of the order delivered once more.
        await world.RedeliverAllAsync(order.Id);
        await world.DeliverAsync(order.Id);

        Assert.Equal(wallet with { UpdatedAt = null }, (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        Assert.Equal((settled.ETag, OrderStatus.Settled), ((await world.OrderAsync(order.Id)).ETag, (await world.OrderAsync(order.Id)).Status));
        Assert.Equal(ledger.Keys.Order(), (await world.LedgerAsync(order.Id)).Keys.Order());
        await world.AssertLedgerBalancedAsync();
    }
}
