using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

public sealed class WeChatPayClientTests : IDisposable
{
    private readonly WeChatPayTestKit _kit = new();
    private readonly WeChatPayMerchant _merchant;

    public WeChatPayClientTests() => _merchant = _kit.Merchant();

    private (WeChatPayProvider Provider, FakeWeChatPayHandler Handler) Create(Func<CapturedRequest, (HttpStatusCode, string)> respond)
    {
        var handler = new FakeWeChatPayHandler(_kit, respond);
        var client = new WeChatPayClient(new HttpClient(handler), _merchant, _kit.Time);
        return (new WeChatPayProvider(client, _merchant, _kit.Time), handler);
    }

    private static CreatePaymentRequest Payment() => new("ORDER_0001", 12_345, "上门保洁 2小时", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        new DateTimeOffset(2025, 3, 1, 2, 15, 0, TimeSpan.Zero));

    [Fact]
    public async Task Create_payment_posts_a_signed_jsapi_prepay_and_returns_verifiable_pay_parameters()
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, """{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}"""));

        var pay = await provider.CreatePaymentAsync(Payment(), CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("https://api.mch.weixin.test/v3/pay/transactions/jsapi", request.Uri.ToString());
        Assert.True(request.SignatureValid(_kit.MerchantKey));
        Assert.Equal(("1900009191", "MERCHANT_SERIAL_01", _kit.Time.GetUtcNow().ToUnixTimeSeconds().ToString()),
            (request.AuthorizationFields["mchid"], request.AuthorizationFields["serial_no"], request.AuthorizationFields["timestamp"]));
        Assert.Matches(@"^WECHATPAY2-SHA256-RSA2048 mchid=""[^""]+"",nonce_str=""[0-9A-F]{32}"",signature=""[A-Za-z0-9+/=]+"",timestamp=""\d+"",serial_no=""[^""]+""$", request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        Assert.NotEmpty(request.UserAgent);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("wx8888888888888888", root.GetProperty("appid").GetString());
        Assert.Equal("1900009191", root.GetProperty("mchid").GetString());
        Assert.Equal("上门保洁 2小时", root.GetProperty("description").GetString());
        Assert.Equal("ORDER_0001", root.GetProperty("out_trade_no").GetString());
        Assert.Equal("2025-03-01T10:15:00+08:00", root.GetProperty("time_expire").GetString());
        Assert.Equal("https://api.homeservice.test/payments/wechatpay/notify", root.GetProperty("notify_url").GetString());
        Assert.Equal(12_345, root.GetProperty("amount").GetProperty("total").GetInt64());
        Assert.Equal("CNY", root.GetProperty("amount").GetProperty("currency").GetString());
        Assert.Equal("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", root.GetProperty("payer").GetProperty("openid").GetString());

        Assert.Equal(("wechatpay", "ORDER_0001"), (pay.Provider, pay.OrderId));
        var p = pay.Parameters;
        Assert.Equal("prepay_id=wx26112221580621e9b071c00d9e093b0000", p["package"]);
        Assert.Equal(("wx8888888888888888", "RSA", _kit.Time.GetUtcNow().ToUnixTimeSeconds().ToString()), (p["appId"], p["signType"], p["timeStamp"]));
        using var merchantPublic = RSA.Create();
        merchantPublic.ImportFromPem(_kit.MerchantKey.ExportSubjectPublicKeyInfoPem());
        Assert.True(WeChatPaySigner.Verify(merchantPublic, $"{p["appId"]}\n{p["timeStamp"]}\n{p["nonceStr"]}\n{p["package"]}\n", p["paySign"]));
    }

    [Fact]
    public async Task Refund_posts_a_signed_refund_and_maps_the_answer()
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, """
            {"refund_id":"50000000382019052709732678859","out_refund_no":"REFUND_0001","transaction_id":"4200000001","out_trade_no":"ORDER_0001",
             "channel":"ORIGINAL","status":"PROCESSING","amount":{"total":10000,"refund":3000,"payer_total":10000,"payer_refund":3000,"currency":"CNY"}}
            """));

        var accepted = await provider.RequestRefundAsync(new RefundRequest("ORDER_0001", "REFUND_0001", 3_000, 10_000, "客户取消"), CancellationToken.None);

        Assert.Equal(new RefundAccepted("REFUND_0001", "50000000382019052709732678859", RefundProgress.Processing), accepted);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("/v3/refund/domestic/refunds", request.Uri.AbsolutePath);
        Assert.True(request.SignatureValid(_kit.MerchantKey));
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(("ORDER_0001", "REFUND_0001", "客户取消"),
            (root.GetProperty("out_trade_no").GetString(), root.GetProperty("out_refund_no").GetString(), root.GetProperty("reason").GetString()));
        Assert.Equal((3_000L, 10_000L, "CNY"), (root.GetProperty("amount").GetProperty("refund").GetInt64(),
            root.GetProperty("amount").GetProperty("total").GetInt64(), root.GetProperty("amount").GetProperty("currency").GetString()));
        Assert.Equal("https://api.homeservice.test/payments/wechatpay/notify", root.GetProperty("notify_url").GetString());
    }

    [Fact]
    public async Task Refund_without_reason_omits_the_field()
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, """{"refund_id":"5","out_refund_no":"REFUND_0001","status":"SUCCESS"}"""));

        var accepted = await provider.RequestRefundAsync(new RefundRequest("ORDER_0001", "REFUND_0001", 1, 1, null), CancellationToken.None);

        Assert.Equal(RefundProgress.Succeeded, accepted.Progress);
        Assert.DoesNotContain("reason", handler.Requests[0].Body);
    }

    [Fact]
    public async Task Error_answer_becomes_a_provider_exception_with_the_wechat_code()
    {
        var (provider, _) = Create(_ => (HttpStatusCode.BadRequest, """{"code":"PARAM_ERROR","message":"参数错误"}"""));

        var ex = await Assert.ThrowsAsync<PaymentProviderException>(() => provider.CreatePaymentAsync(Payment(), CancellationToken.None));

        Assert.Equal(("PARAM_ERROR", 400, false), (ex.Code, ex.HttpStatus, ex.IsRetryable));
    }

    [Fact]
    public async Task Server_error_is_retryable()
    {
        var (provider, _) = Create(_ => (HttpStatusCode.InternalServerError, """{"code":"SYSTEM_ERROR","message":"系统错误"}"""));

        var ex = await Assert.ThrowsAsync<PaymentProviderException>(() => provider.RequestRefundAsync(
            new RefundRequest("ORDER_0001", "REFUND_0001", 1, 1, null), CancellationToken.None));

        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Unsigned_success_answer_is_treated_as_forged()
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, """{"prepay_id":"wx1"}"""));
        handler.SignResponses = false;

        var ex = await Assert.ThrowsAsync<PaymentProviderException>(() => provider.CreatePaymentAsync(Payment(), CancellationToken.None));

        Assert.Equal("INVALID_RESPONSE_SIGNATURE", ex.Code);
    }

    [Fact]
    public async Task Request_signed_with_the_wrong_key_is_refused_by_the_fake_like_wechat_does()
    {
        using var otherMerchant = RSA.Create(2048);
        var options = _kit.Options();
        options.MerchantPrivateKeyPem = otherMerchant.ExportPkcs8PrivateKeyPem();
        using var wrongMerchant = WeChatPayMerchant.FromOptions(options);
        var handler = new FakeWeChatPayHandler(_kit, _ => (HttpStatusCode.OK, """{"prepay_id":"wx1"}"""));
        var provider = new WeChatPayProvider(new WeChatPayClient(new HttpClient(handler), wrongMerchant, _kit.Time), wrongMerchant, _kit.Time);

        var ex = await Assert.ThrowsAsync<PaymentProviderException>(() => provider.CreatePaymentAsync(Payment(), CancellationToken.None));

        Assert.Equal(("SIGN_ERROR", 401), (ex.Code, ex.HttpStatus));
    }

    [Theory]
    [InlineData("short", 100)]
    [InlineData("ORDER 0001", 100)]
    [InlineData("ORDER_0001", 0)]
    public async Task Invalid_payment_request_is_refused_before_calling_wechat(string orderId, long amount)
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, """{"prepay_id":"wx1"}"""));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => provider.CreatePaymentAsync(Payment() with { OrderId = orderId, AmountFen = amount }, CancellationToken.None));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Refund_larger_than_the_total_is_refused_before_calling_wechat()
    {
        var (provider, handler) = Create(_ => (HttpStatusCode.OK, "{}"));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => provider.RequestRefundAsync(
            new RefundRequest("ORDER_0001", "REFUND_0001", 101, 100, null), CancellationToken.None));
        Assert.Empty(handler.Requests);
    }

    public void Dispose() => _merchant.Dispose();
}
