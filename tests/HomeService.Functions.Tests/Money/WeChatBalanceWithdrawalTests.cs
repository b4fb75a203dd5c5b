using System.Net;
using HomeService.Domain.Money;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Money;
using HomeService.Functions.Payments.WeChatPay;
using HomeService.Functions.Tests.Payments;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HomeService.Functions.Tests.Money;

/// <summary>Withdrawals to the WeChat balance (微信零钱): who may ask, and how the payout reaches them.</summary>
[Collection(MoneyCollection.Name)]
public sealed class WeChatBalanceWithdrawalTests(MoneyFactory factory)
{
    private static async Task<string> FieldCodeAsync(HttpResponseMessage response, string field) =>
        (await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).GetProperty("fieldCodes").GetProperty(field)[0].GetString()!;

    [Fact]
    public async Task A_worker_who_signed_in_by_phone_only_cannot_withdraw_to_wechat_and_keeps_the_money()
    {
        var worker = await factory.NewPhoneWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);

        var refused = await worker.Client.WithdrawToWeChatAsync(20_000);

        Assert.Equal("wechat_not_bound", await FieldCodeAsync(refused, "destination"));
        Assert.Equal(45_000, (await worker.Client.WalletAsync()).AvailableFen);
        Assert.Equal(0, (await (await worker.Client.GetAsync("/api/worker/withdrawals")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_destination_is_a_400_and_a_retry_with_another_destination_reuses_the_key_wrongly()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 50_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/worker/withdrawals")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { amountFen = 20_000, destination = "alipay" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        Assert.Equal("invalid_destination", await FieldCodeAsync(await worker.Client.SendAsync(request), "destination"));

        var key = Guid.NewGuid().ToString("N");
        await (await worker.Client.WithdrawToWeChatAsync(20_000, key)).EnsureStatusAsync(HttpStatusCode.Created);
        var toCard = await worker.Client.WithdrawAsync(20_000, card, key);

        Assert.Equal("idempotency_key_reused", (await (await toCard.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Equal(45_000 - 20_000, (await worker.Client.WalletAsync()).AvailableFen);
    }

    [Fact]
    public async Task A_wechat_balance_withdrawal_is_requested_approved_and_paid_by_the_timer_to_the_workers_openid()
    {
        var name = Guid.NewGuid().ToString("N");
        var worker = await factory.NewWorkerAsync(weChatName: name);
        await factory.EarnAsync(worker.Id, 50_000);

        var created = await (await worker.Client.WithdrawToWeChatAsync(30_000)).EnsureStatusAsync(HttpStatusCode.Created);
        var requested = await created.ReadJsonAsync();
        var id = requested.GetProperty("id").GetString()!;
        Assert.Equal("wechatBalance", requested.GetProperty("destination").GetString());
        Assert.False(requested.TryGetProperty("bankName", out _));
        await factory.ApproveAsync(id);
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();
        await factory.InvokePayoutTimerAsync();

        var paid = Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == id);
        Assert.Equal((new PayeeWeChatBalance($"sandbox-{name}") as Payee, 30_000 - 100L), (paid.Payee, paid.AmountFen));
        Assert.Equal("paid", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(id)));
        Assert.Equal(new WalletView(45_000 - 30_000, 0, 45_000, null), (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_transfer_awaiting_the_payees_confirmation_shows_it_and_is_paid_once_after_they_confirm()
    {
        var worker = await factory.NewWorkerAsync(weChatName: $"{Guid.NewGuid():N}{SandboxPayoutProvider.ConfirmSuffix}");
        await factory.EarnAsync(worker.Id, 50_000);
        var id = (await (await (await worker.Client.WithdrawToWeChatAsync(30_000)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync()).GetProperty("id").GetString()!;
        await factory.ApproveAsync(id);
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();

        var awaiting = await (await worker.Client.GetAsync($"/api/worker/withdrawals/{id}")).ReadJsonAsync();
        Assert.Equal("awaitingConfirmation", awaiting.GetProperty("status").GetString());
        Assert.Equal($"sandbox-package-{id}:1", awaiting.GetProperty("confirmation").GetProperty("package").GetString());
        Assert.Equal(30_000 - 100, (await worker.Client.WalletAsync()).InTransitFen);
        // Not confirmed yet: asking changes nothing, and later runs never pay it again.
        var stillAwaiting = await (await (await worker.Client.PostAsync($"/api/worker/withdrawals/{id}/refresh", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("awaitingConfirmation", stillAwaiting.GetProperty("status").GetString());
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();
        Assert.DoesNotContain(factory.Payouts.Paid, p => p.WithdrawalId == id);

        Assert.True(factory.Payouts.Confirm(PayoutRunner.PayoutKey(id, 1)));
        var refreshed = await (await (await worker.Client.PostAsync($"/api/worker/withdrawals/{id}/refresh", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();

        Assert.Equal("paid", refreshed.GetProperty("status").GetString());
        Assert.False(refreshed.TryGetProperty("confirmation", out _));
        Assert.Single(factory.Payouts.Paid, p => p.WithdrawalId == id);
        var admin = await factory.AdminWithdrawalAsync(id);
        Assert.Equal(1, admin.GetProperty("payoutAttempts").GetArrayLength());
        Assert.Equal(new WalletView(45_000 - 30_000, 0, 45_000, null), (await worker.Client.WalletAsync()) with { UpdatedAt = null });
        var other = await factory.NewWorkerAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsync($"/api/worker/withdrawals/{id}/refresh", null)).StatusCode);
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task With_the_wechat_pay_provider_a_bank_card_or_an_amount_needing_a_real_name_is_refused_before_any_money_moves()
    {
        var worker = await factory.NewWorkerAsync();
        await factory.EarnAsync(worker.Id, 400_000);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        var sp = factory.Services;
        var kit = new WeChatPayTestKit();
        var network = new FakeWeChatPayHandler(kit, _ => throw new InvalidOperationException("no request may be sent"));
        var provider = new WeChatPayTransferPayoutProvider(() => new WeChatPayClient(new HttpClient(network), kit.Merchant(), kit.Time), kit.Merchant(),
            new WeChatTransferOptions(), NullLogger<WeChatPayTransferPayoutProvider>.Instance);
        var store = new Withdrawals(sp.GetRequiredService<CosmosDb>(), factory.Ledger, sp.GetRequiredService<BankCards>(), sp.GetRequiredService<UserAccounts>(),
            sp.GetRequiredService<Functions.Merchants.MerchantStore>(), sp.GetRequiredService<MoneySettings>(), factory.Clock, NullLogger<Withdrawals>.Instance, provider);
        var owner = WalletOwner.Worker(worker.Id);

        var toCard = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            store.RequestAsync(owner, Guid.NewGuid().ToString("N"), new WithdrawalRequest(20_000, card), CancellationToken.None));
        var tooMuch = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            store.RequestAsync(owner, Guid.NewGuid().ToString("N"), new WithdrawalRequest(200_200, null, "wechatBalance"), CancellationToken.None));
        var justBelow = await store.RequestAsync(owner, Guid.NewGuid().ToString("N"), new WithdrawalRequest(200_199, null, "wechatBalance"), CancellationToken.None);

        Assert.Equal(("destination", "destination_unavailable"), (Assert.Single(toCard.Errors).Field, toCard.Errors[0].Code));
        Assert.Equal(("amountFen", "wechat_transfer_limit"), (Assert.Single(tooMuch.Errors).Field, tooMuch.Errors[0].Code));
        Assert.Equal((WithdrawalStatus.Requested, 199_999L), (justBelow.Status, justBelow.NetFen));
        Assert.Empty(network.Requests);
        Assert.Equal(360_000 - 200_199, (await worker.Client.WalletAsync()).AvailableFen);
        await factory.AssertLedgerBalancedAsync();
    }
}
