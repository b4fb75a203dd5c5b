using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Money;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class SettlementTests(MoneyFactory factory)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Settling_a_paid_order_pays_the_worker_share_books_the_commission_and_the_ledger_sums_to_zero()
    {
        var worker = await factory.NewWorkerAsync();
        var admin = await factory.AdminAsync();
        var day = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd");
        var revenueBefore = await RevenueOnAsync(admin, day);

        var orderId = MoneyApi.NewOrderId();
        var at = factory.Clock.GetUtcNow();
        await factory.Settlement.PaymentCapturedAsync(orderId, 12_345, at, None);
        var outcome = await factory.Settlement.SettleAsync(orderId, 12_345, 0, "shanghai", "cleaning", worker.Id, null, at, None);

        // 10 % of 12 345 is 1 234.5: the commission rounds in the platform's disfavour.
        Assert.Equal((1_234, 11_111), (outcome.CommissionFen, outcome.WorkerFen));
        var wallet = await worker.Client.WalletAsync();
        Assert.Equal(new WalletView(11_111, 0, 11_111, wallet.UpdatedAt), wallet);
        Assert.Equal(revenueBefore + 1_234, await RevenueOnAsync(admin, day));

        var statement = await (await worker.Client.GetAsync("/api/worker/statement")).ReadJsonAsync();
        var line = Assert.Single(statement.GetProperty("items").EnumerateArray());
        Assert.Equal(("settlement", 11_111L, 11_111L, orderId), (line.GetProperty("kind").GetString(), line.GetProperty("amountFen").GetInt64(),
            line.GetProperty("balanceFen").GetInt64(), line.GetProperty("orderId").GetString()));
        var breakdown = await (await (await worker.Client.GetAsync($"/api/worker/statement/orders/{orderId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal((12_345L, 1_000, 1_234L, 11_111L, 11_111L), (breakdown.GetProperty("paidFen").GetInt64(), breakdown.GetProperty("commissionRateBps").GetInt32(),
            breakdown.GetProperty("commissionFen").GetInt64(), breakdown.GetProperty("workerFen").GetInt64(), breakdown.GetProperty("netFen").GetInt64()));
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Settling_twice_changes_nothing_even_after_the_rates_changed()
    {
        var worker = await factory.NewWorkerAsync();
        var orderId = await factory.EarnAsync(worker.Id, 10_000);
        var admin = await factory.AdminAsync();
        var settings = await admin.GetAsync("/api/admin/settings/commission");
        var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/settings/commission")
        {
            Content = JsonContent.Create(new { defaultRateBps = 1000, merchantRateBps = 2000, rates = new[] { new { cityId = "shanghai", categoryId = (string?)null, rateBps = 1500 } } }),
        }.WithIfMatch(settings.Headers.ETag!.Tag.ToString());
        await (await admin.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);

        try
        {
            var again = await factory.Settlement.SettleAsync(orderId, 10_000, 0, "shanghai", "cleaning", worker.Id, null, factory.Clock.GetUtcNow(), None);

            Assert.True(again.AlreadySettled);
            Assert.Equal((1_000, 9_000, 1000), (again.CommissionFen, again.WorkerFen, again.CommissionRateBps));
            Assert.Equal(9_000, (await worker.Client.WalletAsync()).AvailableFen);
            // A new order in that city now pays the city rate.
            var next = await factory.Settlement.SettleAsync(MoneyApi.NewOrderId(), 10_000, 0, "shanghai", "cleaning", worker.Id, null, factory.Clock.GetUtcNow(), None);
            Assert.Equal(1_500, next.CommissionFen);
        }
        finally
        {
            var current = await admin.GetAsync("/api/admin/settings/commission");
            var reset = new HttpRequestMessage(HttpMethod.Put, "/api/admin/settings/commission")
            {
                Content = JsonContent.Create(new { defaultRateBps = 1000, merchantRateBps = 2000 }),
            }.WithIfMatch(current.Headers.ETag!.Tag.ToString());
            await (await admin.SendAsync(reset)).EnsureStatusAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_merchant_workers_order_splits_commission_merchant_share_and_worker_share()
    {
        var merchant = await factory.NewMerchantAsync();
        var worker = await factory.NewWorkerAsync(merchant.Id);

        var orderId = MoneyApi.NewOrderId();
        var outcome = await factory.Settlement.SettleAsync(orderId, 10_000, 1_000, "shanghai", "cleaning", worker.Id, merchant.Id, factory.Clock.GetUtcNow(), None);

        // 9 000 settled after a 1 000 refund: 900 commission, 20 % of the remaining 8 100 to the merchant.
        Assert.Equal((900, 1_620, 6_480), (outcome.CommissionFen, outcome.MerchantFen, outcome.WorkerFen));
        Assert.Equal(1_620, (await merchant.Client.WalletAsync("merchant")).AvailableFen);
        Assert.Equal(6_480, (await worker.Client.WalletAsync()).AvailableFen);
        var breakdown = await (await merchant.Client.GetAsync($"/api/merchant/statement/orders/{orderId}")).ReadJsonAsync();
        Assert.Equal(1_620, breakdown.GetProperty("netFen").GetInt64());
    }

    [Fact]
    public async Task A_refund_after_settlement_takes_the_shares_back_and_may_leave_the_wallet_negative()
    {
        var worker = await factory.NewWorkerAsync();
        var orderId = MoneyApi.NewOrderId();
        var at = factory.Clock.GetUtcNow();
        await factory.Settlement.PaymentCapturedAsync(orderId, 20_000, at, None);
        await factory.Settlement.SettleAsync(orderId, 20_000, 0, "shanghai", "cleaning", worker.Id, null, at, None);
        var card = await worker.Client.AddCardAsync(MoneyApi.CardNumber());
        await worker.Client.RequestWithdrawalAsync(18_000, card);

        // Half the order refunded after settlement: 1 000 back from commission, 9 000 from the (already emptied) wallet.
        await factory.Settlement.RefundAsync(orderId, "r1", 10_000, at, None);
        await factory.Settlement.RefundAsync(orderId, "r1", 10_000, at, None);

        var wallet = await worker.Client.WalletAsync();
        Assert.Equal(-9_000, wallet.AvailableFen);
        Assert.Equal(9_000, wallet.TotalEarnedFen);
        var breakdown = await (await worker.Client.GetAsync($"/api/worker/statement/orders/{orderId}")).ReadJsonAsync();
        Assert.Equal(9_000, breakdown.GetProperty("netFen").GetInt64());
        Assert.Equal(2, breakdown.GetProperty("lines").GetArrayLength());
        await factory.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Commission_settings_need_if_match_and_stay_within_five_to_fifteen_percent()
    {
        var admin = await factory.AdminAsync();
        var read = await admin.GetAsync("/api/admin/settings/commission");
        var defaults = await read.ReadJsonAsync();
        Assert.Equal(1000, defaults.GetProperty("defaultRateBps").GetInt32());

        var noIfMatch = await admin.PutAsJsonAsync("/api/admin/settings/commission", new { defaultRateBps = 1200 });
        Assert.Equal(HttpStatusCode.PreconditionRequired, noIfMatch.StatusCode);
        var outOfRange = new HttpRequestMessage(HttpMethod.Put, "/api/admin/settings/commission") { Content = JsonContent.Create(new { defaultRateBps = 1600 }) }
            .WithIfMatch(read.Headers.ETag!.Tag.ToString());
        var problem = await (await (await admin.SendAsync(outOfRange)).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("defaultRateBps", out _));
        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/admin/settings/commission") { Content = JsonContent.Create(new { defaultRateBps = 1000 }) }
            .WithIfMatch("\"c3RhbGU\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
        var worker = await factory.NewWorkerAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await worker.Client.GetAsync("/api/admin/settings/commission")).StatusCode);
    }

    private static async Task<long> RevenueOnAsync(HttpClient admin, string day)
    {
        var revenue = await (await (await admin.GetAsync($"/api/admin/revenue?from={day}&to={day}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        return revenue.GetProperty("totalCommissionFen").GetInt64();
    }
}
