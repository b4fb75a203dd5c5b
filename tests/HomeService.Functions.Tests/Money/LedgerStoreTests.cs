using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Money;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class LedgerStoreTests(MoneyFactory factory)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Posting_the_same_transaction_twice_changes_nothing()
    {
        var worker = WalletOwner.Worker(Guid.NewGuid().ToString("N"));
        var orderId = MoneyApi.NewOrderId();
        var settlement = SettlementCalculator.Settle(new SettlementInput(orderId, 10_000, 0, 1000, worker.Id), factory.Clock.GetUtcNow()).Transaction!;

        await factory.Ledger.PostAsync(MoneyFlows.PaymentCaptured(orderId, 10_000, factory.Clock.GetUtcNow()), new LedgerContext(orderId), None);
        await factory.Ledger.PostAsync(settlement, new LedgerContext(orderId), None);
        var once = await factory.Ledger.WalletAsync(worker, None);
        await factory.Ledger.PostAsync(settlement, new LedgerContext(orderId), None);
        var twice = await factory.Ledger.WalletAsync(worker, None);

        Assert.Equal(9_000, once.AvailableFen);
        Assert.Equal((once.AvailableFen, once.Version, once.TotalEarnedFen), (twice.AvailableFen, twice.Version, twice.TotalEarnedFen));
        Assert.Single(await EntriesAsync(worker));
    }

    [Fact]
    public async Task Concurrent_postings_to_one_wallet_all_land_with_distinct_versions()
    {
        var worker = WalletOwner.Worker(Guid.NewGuid().ToString("N"));
        var at = factory.Clock.GetUtcNow();
        var settlements = Enumerable.Range(0, 12).Select(i =>
            SettlementCalculator.Settle(new SettlementInput(MoneyApi.NewOrderId(), 1_000 + i, 0, 1000, worker.Id), at).Transaction!).ToArray();

        await Task.WhenAll(settlements.Select(t => factory.Ledger.PostAsync(t, null, None)));

        var wallet = await factory.Ledger.WalletAsync(worker, None);
        Assert.Equal(settlements.Sum(t => t.AmountFor(LedgerAccount.WalletOf(worker))), wallet.AvailableFen);
        Assert.Equal(12, wallet.Version);
        var entries = await EntriesAsync(worker);
        Assert.Equal(Enumerable.Range(1, 12).Select(v => MoneyKeys.Version(v)), entries.Select(e => e.SortKey).Order());
        // The last entry's running balance is the wallet's balance.
        Assert.Equal(wallet.AvailableFen, entries.MaxBy(e => e.SortKey)!.BalanceFen);
    }

    [Fact]
    public async Task A_transaction_a_crash_left_unapplied_is_finished_by_the_repair_exactly_once()
    {
        var worker = WalletOwner.Worker(Guid.NewGuid().ToString("N"));
        var orderId = MoneyApi.NewOrderId();
        var at = factory.Clock.GetUtcNow() - TimeSpan.FromMinutes(5);
        var settlement = SettlementCalculator.Settle(new SettlementInput(orderId, 5_000, 0, 1000, worker.Id), at).Transaction!;
        var db = factory.Services.GetRequiredService<CosmosDb>();
        // As if the process died right after step 1: the transaction is stored, no wallet has applied it.
        await db.Ledger.CreateItemAsync(LedgerTransactionDocument.From(settlement, new LedgerContext(orderId)), new PartitionKey(settlement.Id));

        await factory.Ledger.RepairAsync(TimeSpan.FromMinutes(1), None);
        await factory.Ledger.RepairAsync(TimeSpan.FromMinutes(1), None);
        await factory.Ledger.PostAsync(settlement, new LedgerContext(orderId), None);

        var wallet = await factory.Ledger.WalletAsync(worker, None);
        Assert.Equal(4_500, wallet.AvailableFen);
        Assert.Equal(1, wallet.Version);
        Assert.True((await factory.Ledger.FindAsync(settlement.Id, None))!.Complete);
    }

    [Fact]
    public async Task Every_wallet_equals_the_balances_re_derived_from_postings_and_all_balances_sum_to_zero()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        await worker.Client.RequestWithdrawalAsync(20_000, card);

        var check = await factory.Ledger.CheckAsync(None);

        Assert.Equal(0, check.TotalFen);
        Assert.Empty(check.Mismatches);
        Assert.Equal(0, check.Incomplete);
        Assert.True(check.Balances.ContainsKey($"worker:{worker.Id}:wallet"), string.Join(", ", check.Balances.Keys.Where(k => k.Contains(worker.Id, StringComparison.Ordinal))));
        Assert.Equal(45_000 - 20_000, check.Balances[$"worker:{worker.Id}:wallet"]);
        Assert.Equal(20_000 - 100, check.Balances[$"worker:{worker.Id}:in-transit"]);
        var admin = await factory.AdminAsync();
        var overHttp = await (await admin.GetAsync("/api/admin/ledger/check")).ReadJsonAsync();
        Assert.Equal(0, overHttp.GetProperty("totalFen").GetInt64());
        Assert.True(overHttp.GetProperty("balanced").GetBoolean());
    }

    private async Task<List<WalletEntryDocument>> EntriesAsync(WalletOwner owner)
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        return await db.Wallets.QueryAllAsync<WalletEntryDocument>(
            new QueryDefinition("SELECT * FROM c WHERE c.ownerKey = @o AND c.type = 'entry'").WithParameter("@o", owner.Key), owner.Key, None);
    }
}
