using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Money;
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
