using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Merchants;
using HomeService.Functions.Tests.Money;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>
/// Merchants get paid (issue 14 #3): a staff member's order is settled, the merchant's share reaches the wallet its owner
/// reads, the owner sees how the order paid it, withdraws, an admin approves, and the payout run pays it.
/// </summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class MerchantPayoutTests(PaymentFlowFactory factory)
{
    [Fact]
    public async Task A_staff_members_settled_order_pays_the_merchant_whose_owner_reads_the_wallet_and_the_order_and_withdraws_it()
    {
        factory.NotBehindRealTime();
        var booking = await BookingWorld.StartAsync(factory, priceFen: 100_000);
        var world = new PaymentFlowWorld(factory, booking);
        var (owner, merchantId) = await factory.ApprovedMerchantAsync("洁净家政", booking.CityId);
        var staff = await booking.WorkerAsync();
        var (code, _) = await owner.InviteAsync();
        await (await staff.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code })).EnsureStatusAsync(HttpStatusCode.OK);

        var (_, order, _) = await world.ConfirmedOrderAsync(daysAhead: 2, hour: 10, with: staff);
        factory.Clock.Advance(TimeSpan.FromHours(73));
        await world.DeliverAsync(order.Id);
        Assert.Equal(OrderStatus.Settled, (await world.OrderAsync(order.Id)).Status);

        // 10 % commission (rounded down), 20 % of the rest to the merchant (rounded down), the remainder to its staff member.
        var total = order.Price.TotalFen;
        var commission = total / 10;
        var merchantShare = (total - commission) / 5;
        Assert.Equal(merchantShare, (await owner.Client.WalletAsync("merchant")).AvailableFen);
        Assert.Equal(total - commission - merchantShare, (await staff.Client.WalletAsync()).AvailableFen);
        var breakdown = await (await (await owner.Client.GetAsync($"/api/merchant/statement/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal((merchantShare, merchantShare, commission), (breakdown.GetProperty("merchantFen").GetInt64(), breakdown.GetProperty("netFen").GetInt64(),
            breakdown.GetProperty("commissionFen").GetInt64()));
        var statement = await (await owner.Client.GetAsync("/api/merchant/statement")).ReadJsonAsync();
        Assert.Equal(order.Id, Assert.Single(statement.GetProperty("items").EnumerateArray()).GetProperty("orderId").GetString());
        // The staff member's own statement does not show the merchant's line, nor can they read the merchant's wallet.
        await (await staff.Client.GetAsync("/api/merchant/wallet")).EnsureStatusAsync(HttpStatusCode.Forbidden);

        var card = await owner.Client.AddCardAsync(MoneyApi.CardNumber(), "merchant");
        var withdrawn = await (await owner.Client.WithdrawAsync(15_000, card, audience: "merchant")).EnsureStatusAsync(HttpStatusCode.Created);
        var request = await withdrawn.ReadJsonAsync();
        var withdrawal = request.GetProperty("id").GetString()!;
        var requested = await owner.Client.WalletAsync("merchant");
        Assert.Equal((merchantShare - 15_000, request.GetProperty("netFen").GetInt64()), (requested.AvailableFen, requested.InTransitFen));
        await factory.ApproveAsync(withdrawal);
        factory.AdvanceToNextPayoutTime();
        await factory.InvokePayoutTimerAsync();
        Assert.Equal("paid", MoneyApi.StatusOf(await factory.AdminWithdrawalAsync(withdrawal)));
        var after = await owner.Client.WalletAsync("merchant");
        Assert.Equal((merchantShare - 15_000, 0L), (after.AvailableFen, after.InTransitFen));
        Assert.Equal($"merchant:{merchantId}", (await factory.AdminWithdrawalAsync(withdrawal)).GetProperty("ownerKey").GetString());
        await factory.AssertLedgerBalancedAsync();
    }
}
