using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Orders;
using HomeService.Functions.Payments;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>Paying an order through the WeChat Pay sandbox, and the refunds that follow a late payment or a cancellation.</summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class PaymentFlowTests(PaymentFlowFactory factory)
{
    private const string Clearing = "clearing:customer-payments";
    private const string RefundsPayable = "refunds:payable";

    [Fact]
    public async Task Paying_through_the_sandbox_moves_the_order_to_dispatching_and_the_ledger_records_the_capture()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync(pay: false);
        Assert.Equal(OrderStatus.PendingPayment, order.Status);

        var pay = await PaymentFlowWorld.PayAsync(customer, order.Id);
        var again = await PaymentFlowWorld.PayAsync(customer, order.Id);

        Assert.Equal((order.Id, order.Price.TotalFen, order.PaymentDueAt!.Value, "wechatpay"), (pay.OrderId, pay.AmountFen, pay.ExpiresAt, pay.Provider));
        Assert.Equal(["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"], pay.Parameters.Keys);
        Assert.Equal(pay.Parameters["package"], again.Parameters["package"]);
        var transaction = factory.Sandbox.FindTransaction(pay.PaymentReference)!;
        Assert.Equal(("prepay_id=" + transaction.PrepayId, order.Price.TotalFen), (pay.Parameters["package"], transaction.AmountFen));

        var sent = await world.SucceedAsync(order.Id);
        await world.DeliverAsync(order.Id);

        Assert.Equal((PaymentNotificationKind.Paid, 200), (sent.Kind, sent.CallbackStatus));
        var paid = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Offered, transaction.TransactionId, order.Price.TotalFen), (paid.Status, paid.State.PaymentId, paid.State.PaidFen)); // auto-assign offered it to the held worker
        var ledger = await world.LedgerAsync(order.Id);
        Assert.Equal(order.Price.TotalFen, PaymentFlowWorld.BalanceOf([ledger[$"pay:{order.Id}"]], Clearing));
        await world.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_replayed_payment_callback_changes_nothing()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, _, order) = await world.PaidOrderAsync();
        var before = await world.OrderAsync(order.Id);
        var ledgerBefore = await world.LedgerAsync(order.Id);

        var replay = await world.SucceedAsync(order.Id);
        var notify = await NotifyAsync(factory.Sandbox.PaymentSucceeded(PaymentReference.ForOrder(order.Id)));
        await world.DeliverAsync(order.Id);

        Assert.Equal((200, 200), (replay.CallbackStatus, notify));
        var after = await world.OrderAsync(order.Id);
        Assert.Equal((before.ETag, before.History.Count, OrderStatus.Offered), (after.ETag, after.History.Count, after.Status));
        Assert.Equal(ledgerBefore.Keys.Order(), (await world.LedgerAsync(order.Id)).Keys.Order());
    }

    [Fact]
    public async Task A_forged_payment_callback_is_refused_401_and_the_order_stays_pending_payment()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync(pay: false);
        var pay = await PaymentFlowWorld.PayAsync(customer, order.Id);
        var genuine = factory.Sandbox.PaymentSucceeded(pay.PaymentReference);
        var tampered = genuine with { Body = genuine.Body.Replace("encrypt-resource", "encrypt-resourcf", StringComparison.Ordinal) };

        var forged = await NotifyAsync(tampered);
        await world.DeliverAsync(order.Id);

        Assert.Equal(401, forged);
        var pending = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.PendingPayment, null), (pending.Status, pending.State.PaymentId));
        Assert.Empty(await world.LedgerAsync(order.Id));

        // The genuine callback, signed as sent, still pays the order.
        Assert.Equal(200, await NotifyAsync(genuine));
        Assert.Equal(OrderStatus.Dispatching, (await world.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_payment_of_another_amount_is_recorded_and_alerted_but_never_pays_the_order()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync(pay: false);
        await PaymentFlowWorld.PayAsync(customer, order.Id);

        var sent = await world.SucceedAsync(order.Id, amountFen: 1);
        await world.SucceedAsync(order.Id, amountFen: 1);
        await world.DeliverAsync(order.Id);

        Assert.Equal(200, sent.CallbackStatus);
        Assert.Equal(OrderStatus.PendingPayment, (await world.OrderAsync(order.Id)).Status);
        Assert.Equal(1, PaymentFlowWorld.BalanceOf((await world.LedgerAsync(order.Id)).Values, Clearing));
        Assert.Equal(["payment.amount-mismatch"], await world.AdminAlertsAsync(order.Id));
    }

    [Fact]
    public async Task A_failed_payment_leaves_the_order_pending_and_the_customer_can_pay_again()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync(pay: false);
        var reference = (await PaymentFlowWorld.PayAsync(customer, order.Id)).PaymentReference;

        var failed = await customer.Client.PostAsync($"/api/dev/payments/{reference}/fail", null);
        await world.DeliverAsync(order.Id);

        await failed.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.PendingPayment, (await world.OrderAsync(order.Id)).Status);

        await PaymentFlowWorld.PayAsync(customer, order.Id);
        await world.SucceedAsync(order.Id);
        await world.DeliverAsync(order.Id);
        Assert.Equal(OrderStatus.Offered, (await world.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task Paying_needs_a_wechat_login_and_only_the_owner_may_pay()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var worker = await world.Booking.WorkerAsync();
        var phoneUser = await factory.PhoneLoginAsync($"137{Random.Shared.Next(10_000_000, 99_999_999)}");
        var phoneCustomer = await world.Booking.AnotherAddressAsync(new TestCustomer(phoneUser, ""), BookingWorld.Center.Lat, BookingWorld.Center.Lng);
        var phoneOrder = await world.Booking.BookOkAsync(phoneCustomer, world.Booking.At(2, 14), worker.Id);
        var stranger = await world.Booking.CustomerAsync();

        var noOpenId = await phoneUser.PostAsync($"/api/customer/orders/{phoneOrder.Id}/pay", null);
        var notMine = await stranger.Client.PostAsync($"/api/customer/orders/{phoneOrder.Id}/pay", null);

        await noOpenId.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("wechat_login_required", await BookingWorld.ProblemCodeAsync(noOpenId));
        await notMine.EnsureStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_paid_order_cannot_be_paid_again()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync();

        var response = await customer.Client.PostAsync($"/api/customer/orders/{order.Id}/pay", null);

        await response.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(OrderErrorCodes.NotAllowedInState, await BookingWorld.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Payment_timeout_closes_the_order_frees_the_worker_and_a_late_payment_is_refunded_in_full()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, customer, order) = await world.PaidOrderAsync(pay: false);
        await PaymentFlowWorld.PayAsync(customer, order.Id);

        factory.Clock.Advance(LifecycleTimings.Default.PaymentTimeout + TimeSpan.FromSeconds(1));
        await world.DeliverAsync(order.Id);

        Assert.Equal(OrderStatus.Closed, (await world.OrderAsync(order.Id)).Status);
        Assert.DoesNotContain((await world.Booking.CalendarAsync(worker.Id)).Reservations, r => r.OrderId == order.Id);
        var afterDeadline = await customer.Client.PostAsync($"/api/customer/orders/{order.Id}/pay", null);
        await afterDeadline.EnsureStatusAsync(HttpStatusCode.Conflict);

        // The payer had the prepay open and pays after all.
        await world.SucceedAsync(order.Id);
        await world.DeliverAsync(order.Id);

        var late = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Refunding, order.Price.TotalFen), (late.Status, late.State.RefundPendingFen));
        var refund = world.RefundAtProvider(order.Id);
        Assert.Equal((order.Price.TotalFen, order.Price.TotalFen, "PROCESSING"), (refund.RefundFen, refund.TotalFen, refund.Status));

        await world.RefundOutcomeAsync(refund.RefundId);
        await world.RefundOutcomeAsync(refund.RefundId);
        await world.DeliverAsync(order.Id);

        var refunded = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Refunded, order.Price.TotalFen), (refunded.Status, refunded.State.RefundedFen));
        var ledger = (await world.LedgerAsync(order.Id)).Values.ToList();
        Assert.Equal((0L, 0L), (PaymentFlowWorld.BalanceOf(ledger, Clearing), PaymentFlowWorld.BalanceOf(ledger, RefundsPayable)));
        Assert.Equal(3, ledger.Count);
        Assert.Contains("order.late-payment", await world.AdminAlertsAsync(order.Id));
        // The customer is told about their payment; the admins get the platform's wording (issue 14 #11).
        var alerts = await (await (await (await factory.AdminAsync()).GetAsync("/api/admin/alerts?pageSize=50")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var alert = alerts.GetProperty("items").EnumerateArray()
            .Single(m => m.TryGetProperty("orderId", out var id) && id.GetString() == order.Id && m.GetProperty("key").GetString() == "order.late-payment");
        Assert.Equal("A payment arrived after its order closed; a full refund was started", alert.GetProperty("title").GetString());
        var mine = await (await (await customer.Client.GetAsync("/api/messages?pageSize=50")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), m => m.GetProperty("key").GetString() == "order.late-payment"
            && m.GetProperty("title").GetString() == "Your payment arrived after the order closed and will be refunded");
        await world.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Cancelling_a_paid_order_before_acceptance_refunds_it_in_full()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, customer, order) = await world.PaidOrderAsync();

        var cancel = await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "plans changed" });
        await cancel.EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(order.Id);

        var refund = world.RefundAtProvider(order.Id);
        Assert.Equal((order.Price.TotalFen, "plans changed"), (refund.RefundFen, refund.Reason));
        Assert.Equal(OrderStatus.Refunding, (await world.OrderAsync(order.Id)).Status);
        Assert.DoesNotContain((await world.Booking.CalendarAsync(worker.Id)).Reservations, r => r.OrderId == order.Id);

        await world.RefundOutcomeAsync(refund.RefundId);
        await world.DeliverAsync(order.Id);

        var refunded = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Refunded, order.Price.TotalFen, 0L), (refunded.Status, refunded.State.RefundedFen, refunded.State.CancellationFeeFen));
        var ledger = await world.LedgerAsync(order.Id);
        Assert.Equal(0, PaymentFlowWorld.BalanceOf(ledger.Values, Clearing));
        Assert.Contains($"refund:{order.Id}:{refund.RefundId}", ledger.Keys);
        Assert.Contains($"refund-paid:{order.Id}:{refund.RefundId}", ledger.Keys);
    }

    [Fact]
    public async Task Cancelling_after_acceptance_inside_the_fee_window_refunds_the_rest_and_keeps_the_fee()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (worker, customer, order) = await world.PaidOrderAsync(daysAhead: 1, hour: 9);
        await world.AcceptAsync(order.Id, worker.Id);
        Assert.Equal(OrderStatus.Accepted, (await world.OrderAsync(order.Id)).Status);

        await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "not home" })).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(order.Id);
        var refund = world.RefundAtProvider(order.Id);
        await world.RefundOutcomeAsync(refund.RefundId);
        await world.DeliverAsync(order.Id);

        // The default city policy: 20 % inside 24 hours of the start, at least ¥10, at most ¥100.
        var total = order.Price.TotalFen;
        var fee = Math.Clamp(total * 20 / 100, 1_000, 10_000);
        var refunded = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Refunded, fee, total - fee), (refunded.Status, refunded.State.CancellationFeeFen, refunded.State.RefundedFen));
        Assert.Equal((total - fee, total), (refund.RefundFen, refund.TotalFen));
        var ledger = await world.LedgerAsync(order.Id);
        Assert.Equal(-(total - fee), ledger[$"refund:{order.Id}:{refund.RefundId}"].Postings.Single(p => p.Account == Clearing).AmountFen);
        Assert.Equal(0, PaymentFlowWorld.BalanceOf(ledger.Values, RefundsPayable));
        // The kept fee does not linger in clearing: it is settled to the worker whose time was blocked, less commission.
        Assert.Equal(0, PaymentFlowWorld.BalanceOf(ledger.Values, Clearing));
        var feeSettlement = ledger[$"settle:{order.Id}"];
        Assert.Equal(fee - fee / 10, feeSettlement.Postings.Single(p => p.Account == $"worker:{worker.Id}:wallet").AmountFen);
        await world.RedeliverAllAsync(order.Id);
        Assert.Equal(feeSettlement.Postings.Count, (await world.LedgerAsync(order.Id))[$"settle:{order.Id}"].Postings.Count);
        await world.AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task A_refund_the_provider_cannot_make_alerts_the_admins_and_reverses_its_ledger_posting()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync();
        await (await customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "plans changed" })).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(order.Id);
        var refund = world.RefundAtProvider(order.Id);

        var failed = await world.RefundOutcomeAsync(refund.RefundId, succeed: false);
        await world.RefundOutcomeAsync(refund.RefundId, succeed: false);
        await world.DeliverAsync(order.Id);

        Assert.Equal(PaymentNotificationKind.RefundFailed, failed.Kind);
        var order2 = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Refunding, refund.RefundId), (order2.Status, order2.State.FailedRefundId));
        Assert.Contains("order.refund-failed", await world.AdminAlertsAsync(order.Id));
        var ledger = await world.LedgerAsync(order.Id);
        Assert.Contains($"refund-failed:{order.Id}:{refund.RefundId}", ledger.Keys);
        Assert.Equal(order.Price.TotalFen, PaymentFlowWorld.BalanceOf(ledger.Values, Clearing));
        Assert.Equal(0, PaymentFlowWorld.BalanceOf(ledger.Values, RefundsPayable));
    }

    private async Task<int> NotifyAsync(PaymentCallback callback)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PaymentEndpoints.NotifyPath)
        {
            Content = new StringContent(callback.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in callback.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await factory.CreateClient().SendAsync(request);
        return (int)response.StatusCode;
    }
}
