using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

public sealed class WeChatPayCallbackTests : IDisposable
{
    private readonly WeChatPayTestKit _kit = new();
    private readonly WeChatPayMerchant _merchant;
    private readonly WeChatPayProvider _provider;

    public WeChatPayCallbackTests()
    {
        _merchant = _kit.Merchant();
        var http = new HttpClient(new FakeWeChatPayHandler(_kit, _ => throw new InvalidOperationException("Callbacks never call out.")));
        _provider = new WeChatPayProvider(new WeChatPayClient(http, _merchant, _kit.Time), _merchant, _kit.Time);
    }

    private CallbackResult.Rejected AssertRejected(CallbackResult result, CallbackRejectionReason reason)
    {
        var rejected = Assert.IsType<CallbackResult.Rejected>(result);
        Assert.Equal(reason, rejected.Reason);
        return rejected;
    }

    [Fact]
    public void Valid_payment_callback_verifies_and_decrypts_into_a_paid_notification()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());

        var result = _provider.ParseCallback(callback);

        var notification = Assert.IsType<CallbackResult.Verified>(result).Notification;
        Assert.Equal(PaymentNotificationKind.Paid, notification.Kind);
        Assert.Equal("ORDER_0001", notification.OrderId);
        Assert.Equal("4200000001202503011234567890", notification.ProviderTransactionId);
        Assert.Equal((10_000L, 10_000L, (long?)9_900), (notification.AmountFen, notification.TotalFen, notification.PayerAmountFen));
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.Zero), notification.OccurredAt);
        Assert.Equal(TimeSpan.Zero, notification.OccurredAt!.Value.Offset);
        Assert.Equal("EV-2018022511223320873", notification.EventId);
        Assert.Null(notification.RefundId);
    }

    [Fact]
    public void Callback_signed_with_the_certificate_configured_key_verifies()
    {
        var body = _kit.Envelope("TRANSACTION.SUCCESS", WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "transaction", "transaction"));
        var headers = _kit.SignedHeaders(body, _kit.CertificatePlatformKey, WeChatPayTestKit.CertificateSerial);

        Assert.IsType<CallbackResult.Verified>(_provider.ParseCallback(new PaymentCallback(headers, body)));
    }

    [Fact]
    public void Header_names_are_matched_case_insensitively()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());
        var lowered = callback.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);

        Assert.IsType<CallbackResult.Verified>(_provider.ParseCallback(callback with { Headers = lowered }));
    }

    [Theory]
    [InlineData("SUCCESS", PaymentNotificationKind.Refunded)]
    [InlineData("ABNORMAL", PaymentNotificationKind.RefundFailed)]
    [InlineData("CLOSED", PaymentNotificationKind.RefundClosed)]
    public void Refund_callback_maps_its_status(string status, PaymentNotificationKind expected)
    {
        var callback = _kit.SignedCallback("REFUND." + status, WeChatPayTestKit.RefundJson(status), "refund");

        var notification = Assert.IsType<CallbackResult.Verified>(_provider.ParseCallback(callback)).Notification;

        Assert.Equal(expected, notification.Kind);
        Assert.Equal(("ORDER_0001", "REFUND_0001", "50000000382019052709732678859"), (notification.OrderId, notification.RefundId, notification.ProviderRefundId));
        Assert.Equal((3_000L, 10_000L, (long?)2_970), (notification.AmountFen, notification.TotalFen, notification.PayerAmountFen));
    }

    [Fact]
    public void Closed_trade_is_a_payment_failure()
    {
        var callback = _kit.SignedCallback("TRANSACTION.CLOSED", WeChatPayTestKit.TransactionJson(tradeState: "CLOSED"));

        Assert.Equal(PaymentNotificationKind.PaymentFailed, Assert.IsType<CallbackResult.Verified>(_provider.ParseCallback(callback)).Notification.Kind);
    }

    [Fact]
    public void Tampered_body_is_rejected_as_bad_signature()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());

        var tampered = callback with { Body = callback.Body.Replace("EV-2018022511223320873", "EV-2018022511223320874") };

        AssertRejected(_provider.ParseCallback(tampered), CallbackRejectionReason.BadSignature);
    }

    [Fact]
    public void Callback_signed_by_another_key_is_rejected_as_bad_signature()
    {
        using var forger = System.Security.Cryptography.RSA.Create(2048);
        var body = _kit.Envelope("TRANSACTION.SUCCESS", WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "", "transaction"));

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body, forger), body)), CallbackRejectionReason.BadSignature);
    }

    [Fact]
    public void Wechatpay_signature_probe_is_rejected()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());
        var headers = new Dictionary<string, string>(callback.Headers) { ["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + callback.Headers["Wechatpay-Signature"] };

        AssertRejected(_provider.ParseCallback(callback with { Headers = headers }), CallbackRejectionReason.BadSignature);
    }

    [Fact]
    public void Unknown_serial_is_rejected()
    {
        var body = _kit.Envelope("TRANSACTION.SUCCESS", WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "", "transaction"));

        var rejected = AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body, serial: "PUB_KEY_ID_UNKNOWN"), body)),
            CallbackRejectionReason.UnknownSerial);
        Assert.Contains("PUB_KEY_ID_UNKNOWN", rejected.Detail);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Timestamp_more_than_five_minutes_from_now_is_rejected_as_stale(int offsetSeconds)
    {
        var body = _kit.Envelope("TRANSACTION.SUCCESS", WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "", "transaction"));
        var headers = _kit.SignedHeaders(body, at: _kit.Time.GetUtcNow().AddSeconds(offsetSeconds));

        AssertRejected(_provider.ParseCallback(new PaymentCallback(headers, body)), CallbackRejectionReason.StaleTimestamp);
    }

    [Fact]
    public void Callback_replayed_after_the_window_is_rejected_but_accepted_within_it()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());

        _kit.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.IsType<CallbackResult.Verified>(_provider.ParseCallback(callback));

        _kit.Time.Advance(TimeSpan.FromSeconds(1));
        AssertRejected(_provider.ParseCallback(callback), CallbackRejectionReason.StaleTimestamp);
    }

    [Theory]
    [InlineData("Wechatpay-Timestamp")]
    [InlineData("Wechatpay-Nonce")]
    [InlineData("Wechatpay-Signature")]
    [InlineData("Wechatpay-Serial")]
    public void Missing_signature_header_is_rejected(string header)
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson());
        var headers = callback.Headers.Where(h => h.Key != header).ToDictionary();

        var rejected = AssertRejected(_provider.ParseCallback(callback with { Headers = headers }), CallbackRejectionReason.MissingHeader);
        Assert.Contains(header, rejected.Detail);
    }

    [Fact]
    public void Resource_encrypted_with_another_apiv3_key_fails_decryption()
    {
        var body = _kit.Envelope("TRANSACTION.SUCCESS", WeChatPayTestKit.Encrypt(WeChatPayTestKit.RandomKey(), WeChatPayTestKit.TransactionJson(), "transaction", "transaction"));

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body), body)), CallbackRejectionReason.DecryptionFailed);
    }

    [Fact]
    public void Tampered_tag_fails_decryption_even_when_the_envelope_is_validly_signed()
    {
        var resource = WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "transaction", "transaction");
        var bytes = Convert.FromBase64String(resource.Ciphertext!);
        bytes[^1] ^= 0x01;
        var body = _kit.Envelope("TRANSACTION.SUCCESS", resource with { Ciphertext = Convert.ToBase64String(bytes) });

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body), body)), CallbackRejectionReason.DecryptionFailed);
    }

    [Fact]
    public void Changed_associated_data_fails_decryption()
    {
        var resource = WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "transaction", "transaction");
        var body = _kit.Envelope("TRANSACTION.SUCCESS", resource with { AssociatedData = "refund" });

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body), body)), CallbackRejectionReason.DecryptionFailed);
    }

    [Fact]
    public void Unsupported_algorithm_is_rejected()
    {
        var resource = WeChatPayTestKit.Encrypt(_kit.ApiV3Key, WeChatPayTestKit.TransactionJson(), "", "transaction") with { Algorithm = "AES_128_CBC" };
        var body = _kit.Envelope("TRANSACTION.SUCCESS", resource);

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body), body)), CallbackRejectionReason.UnsupportedAlgorithm);
    }

    [Fact]
    public void Payment_for_another_merchant_is_rejected()
    {
        var callback = _kit.SignedCallback("TRANSACTION.SUCCESS", WeChatPayTestKit.TransactionJson(mchId: "1230000109"));

        AssertRejected(_provider.ParseCallback(callback), CallbackRejectionReason.MerchantMismatch);
    }

    [Fact]
    public void Signed_but_malformed_body_is_rejected()
    {
        const string body = "{not json";

        AssertRejected(_provider.ParseCallback(new PaymentCallback(_kit.SignedHeaders(body), body)), CallbackRejectionReason.MalformedBody);
    }

    [Fact]
    public void Unknown_event_type_is_rejected()
    {
        var callback = _kit.SignedCallback("PROFITSHARING.SUCCESS", "{}");

        AssertRejected(_provider.ParseCallback(callback), CallbackRejectionReason.UnsupportedEvent);
    }

    public void Dispose() => _merchant.Dispose();
}
