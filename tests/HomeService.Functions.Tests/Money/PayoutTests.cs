using System.Net;
using HomeService.Domain.Money;
using HomeService.Functions.Money;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HomeService.Functions.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class PayoutTests(MoneyFactory factory)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private async Task<(Owner Worker, string WithdrawalId)> ApprovedWithdrawalAsync(string last4 = "")
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber(last4));
        var id = await worker.Client.RequestWithdrawalAsync(30_000, card);
        await factory.ApproveAsync(id);
        return (worker, id);
    }

    [Fact]
    public async Task An_approved_withdrawal_is_paid_by_the_payout_timer_once_even_when_the_timer_runs_twice_or_concurrently()
    {
        var (worker, id) = await ApprovedWithdrawalAsync();

        // Before the schedule comes due the tick pays nothing.
        var early = await factory.InvokePayoutTimerAsync();
        Assert.Contains("No payout run due", early.Logs[0]);
        Assert.Equal("approved", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));

        factory.AdvanceToNextPayoutTime();
        await Task.WhenAll(factory.InvokePayoutTimerAsync(), factory.InvokePayoutTimerAsync());
        await factory.InvokePayoutTimerAsync();
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();

        var paid = Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == id);
        Assert.Equal(30_000 - 100, paid.AmountFen);
        var view = await factory.AdminWithdrawalAsync(id);
        Assert.Equal("paid", MoneyApi.StatusOf(view));
        Assert.Equal(1, view.GetProperty("payoutAttempts").GetArrayLength());
        Assert.Equal(new WalletView(45_000 - 30_000, 0, 45_000, null), (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        var statement = await (await worker.Client.GetAsync("/api/worker/statement")).ReadJsonAsync();
        Assert.Equal(["payout-succeeded", "withdrawal-requested", "settlement"],
            statement.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("kind").GetString()!).ToArray());
        var batches = await (await (await factory.AdminAsync()).GetAsync("/api/admin/payouts?pageSize=50")).ReadJsonAsync();
        Assert.Single(batches.GetProperty("items").EnumerateArray().SelectMany(b => b.GetProperty("items").EnumerateArray()),
            i => i.GetProperty("withdrawalId").GetString() == id && i.GetProperty("outcome").GetString() == "paid");
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task An_admin_starts_a_payout_run_on_demand_whose_orchestration_pays_each_withdrawal_once_however_often_its_activities_run()
    {
        var withdrawals = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ApprovedWithdrawalAsync()));
        var admin = await factory.AdminAsync();

        var started = await (await admin.PostAsync("/api/admin/payouts/runs", null)).EnsureStatusAsync(HttpStatusCode.Accepted);
        var runId = (await started.ReadJsonAsync()).GetProperty("runId").GetString()!;
        await factory.Orchestrations.CompleteAsync(PayoutOrchestrator.Name);

        var run = await (await (await admin.GetAsync($"/api/admin/payouts/runs/{runId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
        Assert.True(run.GetProperty("result").GetProperty("paid").GetInt32() >= 3);
        foreach (var (_, id) in withdrawals)
        {
            Assert.Equal("paid", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));
        }

        // Its pay activity delivered again for the same run reports what it did; a second run skips what is paid.
        var invoker = factory.Functions;
        var payOne = Functions.Hosting.FunctionCatalog.Get(PayoutActivities.PayOne);
        foreach (var (_, id) in withdrawals)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var again = await invoker.InvokeActivityAsync(payOne, new PayoutItemInput(runId, id), scope.ServiceProvider, runId);
            Assert.Equal("paid", ((PayoutBatchItem)again.ReturnValue!).Outcome);
        }

        await (await admin.PostAsync("/api/admin/payouts/runs", null)).EnsureStatusAsync(HttpStatusCode.Accepted);
        await factory.Orchestrations.CompleteAsync(PayoutOrchestrator.Name);
        Assert.All(withdrawals, w => Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == w.WithdrawalId));

        // The start is in the admin audit log.
        var audit = await (await admin.GetAsync("/api/admin/audit?pageSize=50")).ReadJsonAsync();
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("route").GetString()!.Contains("/api/admin/payouts/runs", StringComparison.Ordinal));
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Two_payout_runs_racing_over_the_same_withdrawals_pay_each_once()
    {
        var withdrawals = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ApprovedWithdrawalAsync()));
        var runner = factory.Services.GetRequiredService<PayoutRunner>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => runner.RunAsync($"race-{Guid.NewGuid():N}-{i}", None)));

        foreach (var (_, id) in withdrawals)
        {
            Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == id);
            Assert.Equal("paid", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));
        }

        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_failing_card_is_retried_on_each_run_then_given_up_and_the_money_returns_to_the_wallet()
    {
        var (worker, id) = await ApprovedWithdrawalAsync(last4: "0000");

        for (var run = 1; run <= 2; run++)
        {
            factory.AdvanceToNextPayoutTime();
            await factory.InvokePayoutTimerAsync();
            var failed = await factory.AdminWithdrawalAsync(id);
            Assert.Equal(("failed", run), (MoneyApi.StatusOf(failed), failed.GetProperty("withdrawal").GetProperty("attempts").GetInt32()));
            Assert.Equal(30_000 - 100, (await worker.Client.WalletAsync()).InTransitFen);
        }

        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();

        var abandoned = await factory.AdminWithdrawalAsync(id);
        Assert.Equal("abandoned", MoneyApi.StatusOf(abandoned));
        Assert.Equal(3, abandoned.GetProperty("payoutAttempts").GetArrayLength());
        Assert.DoesNotContain(factory.Payouts.Paid, p => p.WithdrawalId == id);
        // Net amount and fee go back: the worker is whole again.
        Assert.Equal(new WalletView(45_000, 0, 45_000, null), (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_claim_whose_run_died_after_paying_is_reconciled_after_its_lease_not_paid_again()
    {
        var (_, id) = await ApprovedWithdrawalAsync();
        var withdrawals = factory.Services.GetRequiredService<Withdrawals>();
        // A run claims the withdrawal, the provider pays it, and the run dies before recording the result.
        var claimed = await withdrawals.TransitionAsync(id, new ClaimPayout("dead-run", TimeSpan.FromMinutes(10), factory.Clock.GetUtcNow()), null, None);
        await factory.Payouts.PayAsync(new PayoutOrder($"{id}:1", id, 1, claimed.NetFen, claimed.OwnerKey, claimed.Payee), None);
        var runner = factory.Services.GetRequiredService<PayoutRunner>();

        await runner.RunAsync("within-lease", None);
        Assert.Equal("paying", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));
        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        await runner.RunAsync("after-lease", None);

        var view = await factory.AdminWithdrawalAsync(id);
        Assert.Equal("paid", MoneyApi.StatusOf(view));
        Assert.Equal(1, view.GetProperty("payoutAttempts").GetArrayLength());
        Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == id);
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Without_a_payout_provider_the_run_logs_and_skips_leaving_withdrawals_approved()
    {
        var (_, id) = await ApprovedWithdrawalAsync();
        var sp = factory.Services;
        var runner = new PayoutRunner(sp.GetRequiredService<Infrastructure.Cosmos.CosmosDb>(), sp.GetRequiredService<Withdrawals>(), factory.Ledger,
            sp.GetRequiredService<MoneySettings>(), factory.Clock, NullLogger<PayoutRunner>.Instance, provider: null);

        Assert.Null(await runner.RunAsync("no-provider", None));

        Assert.Equal("approved", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));
        // Leave nothing approved behind for the other tests' runs to find surprising.
        await factory.Services.GetRequiredService<PayoutRunner>().RunAsync("cleanup", None);
        Assert.Equal(HttpStatusCode.OK, (await (await factory.AdminAsync()).GetAsync("/api/admin/payouts")).StatusCode);
    }
}
