using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.Sandbox;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

/// <summary>Payments through the notify endpoint with the sandbox platform behind the real WeChat Pay provider.</summary>
public sealed class PaymentCallbackEndpointTests(SandboxPaymentsFactory app) : IClassFixture<SandboxPaymentsFactory>
{
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..20];

    [Fact]
    public async Task Sandbox_payment_success_reaches_the_payment_events_once_with_order_and_amount()
    {
        var orderId = NewId("ORD");
        var pay = await app.StartPaymentAsync(orderId, 12_800);

        Assert.Equal(("wechatpay", orderId), (pay.Provider, pay.OrderId));
        Assert.Equal(["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"], pay.Parameters.Keys);
        var transaction = app.Sandbox.FindTransaction(orderId)!;
        Assert.Equal(("prepay_id=" + transaction.PrepayId, 12_800L, "NOTPAY"), (pay.Parameters["package"], transaction.AmountFen, transaction.TradeState));

        var response = await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = await response.Content.ReadFromJsonAsync<SandboxNotificationSent>(ApiJson);
        Assert.Equal(("TRANSACTION.SUCCESS", PaymentNotificationKind.Paid, 200, "SUCCESS"), (sent!.EventType, sent.Kind, sent.CallbackStatus, sent.CallbackAnswer.Code));
        var paid = Assert.Single(app.Events.For(orderId));
        Assert.Equal((PaymentNotificationKind.Paid, 12_800L, 12_800L, transaction.TransactionId, sent.EventId),
            (paid.Kind, paid.AmountFen, paid.TotalFen, paid.ProviderTransactionId, paid.EventId));
        Assert.Equal("SUCCESS", app.Sandbox.FindTransaction(orderId)!.TradeState);
    }

    [Fact]
    public async Task Sandbox_payment_can_report_another_amount_for_the_lifecycle_to_check()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 5_000);

        var response = await app.PayerClient().PostAsJsonAsync($"/api/dev/payments/{orderId}/succeed", new { amountFen = 1 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1L, Assert.Single(app.Events.For(orderId)).AmountFen);
    }

    [Fact]
    public async Task Failed_payment_reaches_the_payment_events_as_payment_failed()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 5_000);

        var response = await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/fail", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((PaymentNotificationKind.PaymentFailed, "PAYERROR"), (Assert.Single(app.Events.For(orderId)).Kind, app.Sandbox.FindTransaction(orderId)!.TradeState));
    }

    [Fact]
    public async Task Paid_order_cannot_be_failed_by_the_sandbox()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 5_000);
        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);

        var response = await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/fail", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Single(app.Events.For(orderId));
    }

    [Fact]
    public async Task Sandbox_refuses_to_pay_an_order_it_never_saw()
    {
        var response = await app.PayerClient().PostAsync($"/api/dev/payments/{NewId("ORD")}/succeed", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Replayed_callback_is_delivered_again_with_the_same_event_id_and_answered_success()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 9_900);
        var callback = app.Sandbox.PaymentSucceeded(orderId);

        var first = await app.NotifyAsync(callback);
        var replay = await app.NotifyAsync(callback);

        Assert.Equal((200, "SUCCESS"), (first.Status, first.Answer!.Code));
        Assert.Equal((200, "SUCCESS"), (replay.Status, replay.Answer!.Code));
        var delivered = app.Events.For(orderId);
        Assert.Equal(2, delivered.Count);
        Assert.Equal(delivered[0], delivered[1]);
    }

    [Fact]
    public async Task Asking_the_sandbox_again_redelivers_the_same_notification()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 9_900);

        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);
        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);

        var delivered = app.Events.For(orderId);
        Assert.Equal(2, delivered.Count);
        Assert.Equal(delivered[0].EventId, delivered[1].EventId);
    }

    [Theory]
    [InlineData("body tampered after signing")]
    [InlineData("signed by another key")]
    [InlineData("unknown serial")]
    [InlineData("stale timestamp")]
    [InlineData("garbage body")]
    [InlineData("no signature headers")]
    public async Task Forged_callback_is_answered_401_fail_and_never_reaches_the_payment_events(string forgery)
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 9_900);
        var genuine = app.Sandbox.PaymentSucceeded(orderId);
        var forged = forgery switch
        {
            "body tampered after signing" => genuine with { Body = genuine.Body.Replace("encrypt-resource", "encrypt-resourcf", StringComparison.Ordinal) },
            "signed by another key" => genuine with { Headers = SignedBy(RSA.Create(2048), genuine) },
            "unknown serial" => genuine with { Headers = With(genuine.Headers, "Wechatpay-Serial", "PUB_KEY_ID_UNKNOWN") },
            "garbage body" => genuine with { Body = "\u0000not json at all" },
            "no signature headers" => new PaymentCallback(new Dictionary<string, string>(), genuine.Body),
            _ => genuine,
        };
        if (forgery == "stale timestamp") app.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var before = app.Events.Received.Count;

        var (status, answer) = await app.NotifyAsync(forged);

        Assert.Equal((401, "FAIL"), (status, answer!.Code));
        Assert.Equal(before, app.Events.Received.Count);
        Assert.Empty(app.Events.For(orderId));
    }

    [Fact]
    public async Task Handler_failure_answers_500_so_wechat_pay_retries_and_the_retry_succeeds()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 9_900);
        var callback = app.Sandbox.PaymentSucceeded(orderId);

        app.Events.FailWith = new TimeoutException("Cosmos timed out");
        (int Status, NotifyAnswer? Answer) failed;
        try
        {
            failed = await app.NotifyAsync(callback);
        }
        finally
        {
            app.Events.FailWith = null;
        }

        var retried = await app.NotifyAsync(callback);

        Assert.Equal((500, "FAIL"), (failed.Status, failed.Answer!.Code));
        Assert.Equal(200, retried.Status);
        Assert.Single(app.Events.For(orderId));
    }

    [Fact]
    public async Task Refund_request_is_signed_verified_and_recorded_by_the_sandbox()
    {
        var orderId = NewId("ORD");
        var refundId = NewId("RFD");
        await app.StartPaymentAsync(orderId, 10_000);
        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);

        var accepted = await app.RefundAsync(orderId, refundId, 3_000, 10_000);

        Assert.Equal((refundId, RefundProgress.Processing), (accepted.RefundId, accepted.Progress));
        var recorded = app.Sandbox.FindRefund(refundId)!;
        Assert.Equal((orderId, 3_000L, 10_000L, "PROCESSING", accepted.ProviderRefundId, "客户取消"),
            (recorded.OrderId, recorded.RefundFen, recorded.TotalFen, recorded.Status, recorded.ProviderRefundId, recorded.Reason));
    }

    [Fact]
    public async Task Refund_beyond_what_was_paid_is_refused_by_the_platform()
    {
        var orderId = NewId("ORD");
        await app.StartPaymentAsync(orderId, 10_000);
        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);
        await app.RefundAsync(orderId, NewId("RFD"), 8_000, 10_000);

        var ex = await Assert.ThrowsAsync<PaymentProviderException>(() => app.RefundAsync(orderId, NewId("RFD"), 3_000, 10_000));

        Assert.Equal(("NOT_ENOUGH", 403, false), (ex.Code, ex.HttpStatus, ex.IsRetryable));
    }

    [Fact]
    public async Task Refund_success_and_failure_callbacks_reach_the_payment_events()
    {
        var orderId = NewId("ORD");
        var (succeeds, fails) = (NewId("RFD"), NewId("RFD"));
        await app.StartPaymentAsync(orderId, 10_000);
        await app.PayerClient().PostAsync($"/api/dev/payments/{orderId}/succeed", null);
        var first = await app.RefundAsync(orderId, succeeds, 3_000, 10_000);
        await app.RefundAsync(orderId, fails, 2_000, 10_000);

        var ok = await app.CreateClient().PostAsync($"/api/dev/refunds/{succeeds}/succeed", null);
        var failed = await app.CreateClient().PostAsync($"/api/dev/refunds/{fails}/fail", null);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ok.StatusCode, failed.StatusCode));
        var refunds = app.Events.For(orderId).Where(n => n.RefundId is not null).ToList();
        Assert.Equal(2, refunds.Count);
        Assert.Equal((PaymentNotificationKind.Refunded, succeeds, first.ProviderRefundId, 3_000L, 10_000L),
            (refunds[0].Kind, refunds[0].RefundId, refunds[0].ProviderRefundId, refunds[0].AmountFen, refunds[0].TotalFen));
        Assert.Equal((PaymentNotificationKind.RefundFailed, fails, 2_000L), (refunds[1].Kind, refunds[1].RefundId, refunds[1].AmountFen));
        Assert.Equal(("SUCCESS", "ABNORMAL"), (app.Sandbox.FindRefund(succeeds)!.Status, app.Sandbox.FindRefund(fails)!.Status));
    }

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> headers, string name, string value) =>
        new(headers, StringComparer.OrdinalIgnoreCase) { [name] = value };

    private static Dictionary<string, string> SignedBy(RSA forger, PaymentCallback genuine)
    {
        using (forger)
        {
            var timestamp = genuine.Header("Wechatpay-Timestamp")!;
            var nonce = genuine.Header("Wechatpay-Nonce")!;
            return With(genuine.Headers, "Wechatpay-Signature",
                WeChatPaySigner.Sign(forger, WeChatPaySigner.ResponseMessage(timestamp, nonce, genuine.Body)));
        }
    }
}
