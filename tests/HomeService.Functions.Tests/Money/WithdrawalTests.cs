using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Money;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class WithdrawalTests(MoneyFactory factory)
{
    [Fact]
    public async Task Twenty_racing_withdrawals_of_sixty_percent_each_let_exactly_one_through_and_never_overdraw()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 100_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => worker.Client.WithdrawAsync(54_000, card)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("insufficient_funds", (await refused.ReadJsonAsync()).GetProperty("code").GetString());
        }

        var wallet = await worker.Client.WalletAsync();
        Assert.Equal(90_000 - 54_000, wallet.AvailableFen);
        Assert.Equal(54_000 - 100, wallet.InTransitFen);
        var mine = await (await worker.Client.GetAsync("/api/worker/withdrawals")).ReadJsonAsync();
        Assert.Equal(1, mine.GetProperty("items").GetArrayLength());
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Retrying_with_the_same_idempotency_key_returns_the_first_withdrawal_and_charges_once()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        var key = Guid.NewGuid().ToString("N");

        var first = await (await worker.Client.WithdrawAsync(20_000, card, key)).EnsureStatusAsync(HttpStatusCode.Created);
        var again = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => worker.Client.WithdrawAsync(20_000, card, key)));
        var different = await worker.Client.WithdrawAsync(30_000, card, key);

        var id = (await first.ReadJsonAsync()).GetProperty("id").GetString();
        foreach (var response in again)
        {
            Assert.Equal(id, (await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync()).GetProperty("id").GetString());
        }

        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal(45_000 - 20_000, (await worker.Client.WalletAsync()).AvailableFen);
        var noKey = await worker.Client.PostAsJsonAsync("/api/worker/withdrawals", new { amountFen = 20_000, bankCardId = card });
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        var belowMinimum = await worker.Client.WithdrawAsync(9_999, card);
        Assert.Equal(HttpStatusCode.BadRequest, belowMinimum.StatusCode);
    }

    [Fact]
    public async Task Rejecting_returns_the_money_and_a_wrong_transition_is_a_409_naming_the_state()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        var id = await worker.Client.RequestWithdrawalAsync(30_000, card);
        var admin = await factory.AdminAsync();

        var queue = await (await admin.GetAsync("/api/admin/withdrawals?status=requested&pageSize=100")).ReadJsonAsync();
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), w => w.GetProperty("withdrawal").GetProperty("id").GetString() == id);
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/withdrawals/{id}/reject") { Content = JsonContent.Create(new { reason = "x" }) }.WithIfMatch("\"c3RhbGU\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
        var read = await admin.GetAsync($"/api/admin/withdrawals/{id}");
        var reject = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/withdrawals/{id}/reject") { Content = JsonContent.Create(new { reason = "银行卡信息有误" }) }
            .WithIfMatch(read.Headers.ETag!.Tag.ToString());
        await (await admin.SendAsync(reject)).EnsureStatusAsync(HttpStatusCode.OK);
        var approveRejected = await admin.PostAsync($"/api/admin/withdrawals/{id}/approve", null);

        var problem = await (await approveRejected.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal("withdrawal_state", problem.GetProperty("code").GetString());
        Assert.Contains("rejected", problem.GetProperty("title").GetString());
        Assert.Equal(new WalletView(45_000, 0, 45_000, null), (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        var view = await (await worker.Client.GetAsync($"/api/worker/withdrawals/{id}")).ReadJsonAsync();
        Assert.Equal(("rejected", "银行卡信息有误"), (view.GetProperty("status").GetString(), view.GetProperty("rejectionReason").GetString()));
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_withdrawal_a_crash_left_reserving_is_finished_by_the_repair_sweep()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        var store = factory.Services.GetRequiredService<Withdrawals>();
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var payee = (await factory.Services.GetRequiredService<BankCards>().FindAsync(WalletOwner.Worker(worker.Id), card, CancellationToken.None))!;
        var at = factory.Clock.GetUtcNow() - TimeSpan.FromMinutes(5);
        WithdrawalDocument Stuck(long amount) => new()
        {
            Id = Withdrawals.IdFor(WalletOwner.Worker(worker.Id), Guid.NewGuid().ToString("N")),
            OwnerKey = $"worker:{worker.Id}",
            Status = WithdrawalStatus.Reserving,
            AmountFen = amount,
            FeeFen = 100,
            MinimumFen = 10_000,
            Card = new PayeeCard(payee.Id, payee.HolderName, payee.BankName, payee.MaskedNumber, payee.Last4, payee.NumberHash),
            CreatedAt = at,
            SortKey = CosmosExtensions.TimeSortKey(at, "stuck"),
        };
        // As if two requests died right after writing their intent: one the wallet covers, one it cannot after the first.
        var covered = Stuck(30_000);
        var uncovered = Stuck(30_000) with { CreatedAt = at.AddSeconds(1) };
        await db.Withdrawals.CreateItemAsync(covered, new PartitionKey(covered.Id));
        await db.Withdrawals.CreateItemAsync(uncovered, new PartitionKey(uncovered.Id));

        await store.RepairAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        await store.RepairAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        var statuses = new[] { (await store.FindAsync(covered.Id, CancellationToken.None))!.Status, (await store.FindAsync(uncovered.Id, CancellationToken.None))!.Status };
        Assert.Equal([WithdrawalStatus.Refused, WithdrawalStatus.Requested], statuses.Order());
        Assert.Equal(45_000 - 30_000, (await worker.Client.WalletAsync()).AvailableFen);
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Nobody_sees_another_owners_wallet_or_withdrawals()
    {
        var owner = await factory.NewWorkerAsync();
        var other = await factory.NewWorkerAsync();
        await factory.EarnAsync(owner.Id, 50_000);
        var card = await owner.Client.AddCardAsync(MoneyApi.CardNumber());
        var id = await owner.Client.RequestWithdrawalAsync(20_000, card);

        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/worker/withdrawals/{id}")).StatusCode);
        Assert.Equal(0, (await (await other.Client.GetAsync("/api/worker/withdrawals")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await other.Client.WalletAsync()).AvailableFen);
        // Another owner's card id is unknown to this owner.
        var withForeignCard = await (await other.Client.WithdrawAsync(20_000, card)).EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("unknown_reference", (await withForeignCard.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty("bankCardId")[0].GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Client.PostAsync($"/api/admin/withdrawals/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Client.GetAsync("/api/merchant/wallet")).StatusCode);
        var customer = await factory.NewCustomerAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/api/worker/wallet")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/worker/statement")).StatusCode);
    }
}
