using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Payments.Sandbox;

/// <summary>A payment as the sandbox platform knows it. TradeState: NOTPAY, SUCCESS or PAYERROR.</summary>
public sealed record SandboxTransaction(
    string OrderId, string AppId, string PrepayId, long AmountFen, string Description, string PayerOpenId, string? TimeExpire,
    string TradeState, string TransactionId, long? PaidFen = null, string? NotificationId = null);

/// <summary>A refund as the sandbox platform knows it. Status: PROCESSING, SUCCESS or ABNORMAL.</summary>
public sealed record SandboxRefund(
    string RefundId, string OrderId, string ProviderRefundId, string TransactionId, long RefundFen, long TotalFen, string? Reason,
    string Status, string? NotificationId = null);

/// <summary>
/// A local WeChat Pay platform (Development only). It owns its keys (<see cref="WeChatPaySandboxKeys"/>: merchant key
/// pair, platform key pair with its serial, APIv3 key) and hands the merchant side to the real <see cref="WeChatPayProvider"/>
/// through <see cref="Configure"/>; <see cref="WeChatPaySandboxHandler"/> answers the provider's HTTP calls; the
/// notification builders produce callbacks encrypted and signed exactly as WeChat Pay sends them.
/// No key ever leaves the process.
/// </summary>
public sealed class WeChatPaySandbox : IDisposable
{
    public const string MchId = "1900000109";
    public const string DefaultAppId = "wx0000000000sandbox";
    public const string MerchantSerialNo = "SANDBOX_MERCHANT_SERIAL";
    public const string PlatformSerial = "PUB_KEY_ID_SANDBOX_0001";
    public const string BaseUrl = "https://api.mch.weixin.sandbox/";
    public const string NotifyUrl = "https://localhost/api/payments/wechatpay/notify";
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private readonly RSA _merchantKey = RSA.Create();
    private readonly RSA _platformKey = RSA.Create();
    private readonly string _apiV3Key;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SandboxTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxRefund> _refunds = new(StringComparer.Ordinal);

    internal WeChatPaySandbox(TimeProvider timeProvider, WeChatPaySandboxKeys keys)
    {
        Time = timeProvider;
        _merchantKey.ImportFromPem(keys.MerchantPrivateKeyPem);
        _platformKey.ImportFromPem(keys.PlatformPrivateKeyPem);
        _apiV3Key = keys.ApiV3Key;
    }

    internal TimeProvider Time { get; }

    /// <summary>Public half of the merchant key: what WeChat Pay checks request signatures with.</summary>
    internal RSA MerchantKey => _merchantKey;

    /// <summary>Gives the merchant side (our app) the sandbox's keys and addresses; keeps a configured AppId.</summary>
    public void Configure(WeChatPayOptions options)
    {
        options.MchId = MchId;
        options.AppId = string.IsNullOrWhiteSpace(options.AppId) ? DefaultAppId : options.AppId;
        options.MerchantSerialNo = MerchantSerialNo;
        options.MerchantPrivateKeyPem = _merchantKey.ExportPkcs8PrivateKeyPem();
        options.ApiV3Key = _apiV3Key;
        options.PlatformPublicKeys = new(StringComparer.Ordinal) { [PlatformSerial] = _platformKey.ExportSubjectPublicKeyInfoPem() };
        options.NotifyUrl = NotifyUrl;
        options.BaseUrl = BaseUrl;
    }

    public SandboxTransaction? FindTransaction(string orderId)
    {
        lock (_gate) return _transactions.GetValueOrDefault(orderId);
    }

    public SandboxRefund? FindRefund(string refundId)
    {
        lock (_gate) return _refunds.GetValueOrDefault(refundId);
    }

    public IReadOnlyList<SandboxRefund> RefundsOf(string orderId)
    {
        lock (_gate) return _refunds.Values.Where(r => r.OrderId == orderId).ToList();
    }

    // --- The platform's API (called by the handler after the Authorization signature checked out)

    internal (int Status, object Body) Prepay(JsapiPrepayRequest request)
    {
        lock (_gate)
        {
            if (_transactions.TryGetValue(request.OutTradeNo, out var existing))
            {
                if (existing.TradeState == "SUCCESS") return Error(403, "ORDERPAID", "该订单已支付");
                if (existing.AmountFen != request.Amount.Total || existing.PayerOpenId != request.Payer.OpenId)
                    return Error(400, "INVALID_REQUEST", "201 商户订单号重复");
                return (200, new JsapiPrepayResponse(existing.PrepayId));
            }

            var transaction = new SandboxTransaction(request.OutTradeNo, request.AppId, "wx" + RandomDigits(32), request.Amount.Total,
                request.Description, request.Payer.OpenId, request.TimeExpire, "NOTPAY", "42000" + RandomDigits(23));
            _transactions[request.OutTradeNo] = transaction;
            return (200, new JsapiPrepayResponse(transaction.PrepayId));
        }
    }

    internal (int Status, object Body) Refund(RefundCreateRequest request)
    {
        lock (_gate)
        {
            if (request.OutTradeNo is null || !_transactions.TryGetValue(request.OutTradeNo, out var transaction))
                return Error(404, "RESOURCE_NOT_EXISTS", "订单不存在");
            if (transaction.TradeState != "SUCCESS") return Error(403, "TRADE_STATE_ERROR", "订单状态不正确");
            if (request.Amount.Total != transaction.PaidFen) return Error(400, "PARAM_ERROR", "订单金额不一致");

            if (_refunds.TryGetValue(request.OutRefundNo, out var existing))
                return (200, RefundAnswer(existing));

            var refunded = _refunds.Values.Where(r => r.OrderId == transaction.OrderId && r.Status != "ABNORMAL").Sum(r => r.RefundFen);
            if (refunded + request.Amount.Refund > request.Amount.Total) return Error(403, "NOT_ENOUGH", "可退金额不足");

            var refund = new SandboxRefund(request.OutRefundNo, transaction.OrderId, "50300" + RandomDigits(24), transaction.TransactionId,
                request.Amount.Refund, request.Amount.Total, request.Reason, "PROCESSING");
            _refunds[refund.RefundId] = refund;
            return (200, RefundAnswer(refund));
        }
    }

    private static RefundResponse RefundAnswer(SandboxRefund r) => new(r.ProviderRefundId, r.RefundId, r.TransactionId, r.OrderId, r.Status,
        new RefundAmountDetail(r.TotalFen, r.RefundFen, r.TotalFen, r.RefundFen));

    private static (int, object) Error(int status, string code, string message) => (status, new WeChatPayError(code, message));

    // --- Notifications, as WeChat Pay would POST them to the notify URL

    /// <summary>TRANSACTION.SUCCESS for a payment the app started. <paramref name="amountFen"/> reports another amount
    /// (to exercise the app's amount check). Asking again re-delivers the same notification.</summary>
    public PaymentCallback PaymentSucceeded(string orderId, long? amountFen = null) =>
        TransactionNotification(orderId, "SUCCESS", "TRANSACTION.SUCCESS", "支付成功", amountFen);

    /// <summary>A failed payment (trade_state PAYERROR); refused once the order is paid.</summary>
    public PaymentCallback PaymentFailed(string orderId) =>
        TransactionNotification(orderId, "PAYERROR", "TRANSACTION.PAYERROR", "支付失败", null);

    /// <summary>REFUND.SUCCESS for a refund the app requested.</summary>
    public PaymentCallback RefundSucceeded(string refundId) => RefundNotification(refundId, "SUCCESS", "REFUND.SUCCESS", "退款成功");

    /// <summary>REFUND.ABNORMAL (e.g. the payer's card was closed) for a refund the app requested.</summary>
    public PaymentCallback RefundFailed(string refundId) => RefundNotification(refundId, "ABNORMAL", "REFUND.ABNORMAL", "退款异常");

    private PaymentCallback TransactionNotification(string orderId, string state, string eventType, string summary, long? amountFen)
    {
        if (amountFen is <= 0) throw ValidationFailedException.For("amountFen", "out_of_range", 1, long.MaxValue);

        SandboxTransaction t;
        lock (_gate)
        {
            t = _transactions.GetValueOrDefault(orderId) ?? throw new NotFoundException("res.payment", orderId);
            var redelivery = t.TradeState == state && t.NotificationId is not null && (amountFen is null || amountFen == t.PaidFen);
            if (!redelivery)
            {
                if (t.TradeState == "SUCCESS") throw new ConflictException("payment_state", t.TradeState);
                t = t with
                {
                    TradeState = state,
                    PaidFen = state == "SUCCESS" ? amountFen ?? t.AmountFen : null,
                    NotificationId = Guid.NewGuid().ToString(),
                };
                _transactions[orderId] = t;
            }
        }

        var paid = t.PaidFen ?? t.AmountFen;
        var resource = JsonSerializer.Serialize(new
        {
            appid = t.AppId,
            mchid = MchId,
            out_trade_no = t.OrderId,
            transaction_id = t.TransactionId,
            trade_type = "JSAPI",
            trade_state = state,
            trade_state_desc = summary,
            bank_type = "OTHERS",
            success_time = state == "SUCCESS" ? ChinaTime(Time.GetUtcNow()) : null,
            payer = new { openid = t.PayerOpenId },
            amount = new { total = paid, payer_total = paid, currency = "CNY", payer_currency = "CNY" },
        });
        return Notification(t.NotificationId!, eventType, summary, "transaction", resource);
    }

    private PaymentCallback RefundNotification(string refundId, string status, string eventType, string summary)
    {
        SandboxRefund r;
        lock (_gate)
        {
            r = _refunds.GetValueOrDefault(refundId) ?? throw new NotFoundException("res.refund", refundId);
            if (r.Status != status)
            {
                if (r.Status != "PROCESSING") throw new ConflictException("refund_state", r.Status);
                r = r with { Status = status, NotificationId = Guid.NewGuid().ToString() };
                _refunds[refundId] = r;
            }
        }

        var resource = JsonSerializer.Serialize(new
        {
            mchid = MchId,
            out_trade_no = r.OrderId,
            transaction_id = r.TransactionId,
            out_refund_no = r.RefundId,
            refund_id = r.ProviderRefundId,
            refund_status = status,
            success_time = status == "SUCCESS" ? ChinaTime(Time.GetUtcNow()) : null,
            user_received_account = "支付用户零钱",
            amount = new { total = r.TotalFen, refund = r.RefundFen, payer_total = r.TotalFen, payer_refund = r.RefundFen },
        });
        return Notification(r.NotificationId!, eventType, summary, "refund", resource);
    }

    private PaymentCallback Notification(string id, string eventType, string summary, string originalType, string resourceJson)
    {
        var body = JsonSerializer.Serialize(new
        {
            id,
            create_time = ChinaTime(Time.GetUtcNow()),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary,
            resource = Encrypt(resourceJson, associatedData: originalType, originalType),
        });
        return new PaymentCallback(SignedHeaders(body), body);
    }

    /// <summary>AEAD_AES_256_GCM with the APIv3 key, the tag appended to the ciphertext, as WeChat Pay encrypts resources.</summary>
    private object Encrypt(string plaintext, string associatedData, string originalType)
    {
        var nonce = RandomAlphanumeric(12);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[plain.Length + 16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(_apiV3Key), 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, cipher.AsSpan(0, plain.Length), cipher.AsSpan(plain.Length), Encoding.UTF8.GetBytes(associatedData));
        return new
        {
            original_type = originalType,
            algorithm = WeChatPayResourceDecryptor.Algorithm,
            ciphertext = Convert.ToBase64String(cipher),
            associated_data = associatedData,
            nonce,
        };
    }

    /// <summary>Wechatpay-* headers signing a response or notification body with the platform key.</summary>
    internal Dictionary<string, string> SignedHeaders(string body)
    {
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatPaySigner.NewNonce();
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [WeChatPaySignatureVerifier.TimestampHeader] = timestamp,
            [WeChatPaySignatureVerifier.NonceHeader] = nonce,
            [WeChatPaySignatureVerifier.SignatureHeader] = WeChatPaySigner.Sign(_platformKey, WeChatPaySigner.ResponseMessage(timestamp, nonce, body)),
            [WeChatPaySignatureVerifier.SerialHeader] = PlatformSerial,
            ["Wechatpay-Signature-Type"] = WeChatPaySigner.AuthorizationScheme,
        };
    }

    private static string ChinaTime(DateTimeOffset instant) =>
        instant.ToOffset(ChinaStandardTime).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string RandomDigits(int length) => RandomNumberGenerator.GetString("0123456789", length);

    internal static string RandomAlphanumeric(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);

    public void Dispose()
    {
        _merchantKey.Dispose();
        _platformKey.Dispose();
    }
}

/// <summary>
/// The sandbox platform's secrets, PEM (PKCS#8) and text. RSA-2048 key generation costs 0.1–0.4 s of CPU per key, so
/// they are made once: kept in <c>Payments:Sandbox:KeyFile</c> when that is set (run.sh: <c>.local/</c>, so a restarted
/// local host does not pay for them again), else generated once per process (the test hosts share them).
/// </summary>
internal sealed record WeChatPaySandboxKeys(string MerchantPrivateKeyPem, string PlatformPrivateKeyPem, string ApiV3Key)
{
    private static readonly Lazy<WeChatPaySandboxKeys> ProcessKeys = new(Generate);

    public static WeChatPaySandboxKeys LoadOrCreate(string? file)
    {
        if (file is not { Length: > 0 })
        {
            return ProcessKeys.Value;
        }

        var text = Infrastructure.LocalSecretFile.LoadOrCreate(file, () => JsonSerializer.Serialize(Generate()));
        try
        {
            var keys = JsonSerializer.Deserialize<WeChatPaySandboxKeys>(text) is { MerchantPrivateKeyPem.Length: > 0, PlatformPrivateKeyPem.Length: > 0, ApiV3Key.Length: 32 } read
                ? read
                : throw new JsonException("a key is missing");
            EnsurePrivateKey(keys.MerchantPrivateKeyPem, "MerchantPrivateKeyPem");
            EnsurePrivateKey(keys.PlatformPrivateKeyPem, "PlatformPrivateKeyPem");
            return keys;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or CryptographicException)
        {
            throw new InvalidOperationException($"{file} does not hold the payment sandbox's keys ({e.Message}); delete it to have new ones made.", e);
        }
    }

    /// <summary>
    /// Imports the PEM so a damaged file is refused here, with the file and what to do; the sandbox imports it again (an
    /// import is cheap next to generating a key, and only the Development sandbox reads this file).
    /// </summary>
    private static void EnsurePrivateKey(string pem, string name)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            _ = rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new CryptographicException($"{name} is not an RSA private key: {e.Message}", e);
        }
    }

    private static WeChatPaySandboxKeys Generate()
    {
        using var merchant = RSA.Create(2048);
        using var platform = RSA.Create(2048);
        return new(merchant.ExportPkcs8PrivateKeyPem(), platform.ExportPkcs8PrivateKeyPem(), WeChatPaySandbox.RandomAlphanumeric(32));
    }
}
