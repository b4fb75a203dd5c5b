using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Payments;

/// <summary>Keys generated per test run, and helpers that play WeChat Pay's side (encrypt, sign).</summary>
public sealed class WeChatPayTestKit
{
    public const string MchId = "1900009191";
    public const string AppId = "wx8888888888888888";
    public const string MerchantSerial = "MERCHANT_SERIAL_01";
    public const string PlatformSerial = "PUB_KEY_ID_0000000000000024101100397200000006";
    public const string CertificateSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    // Generated once per test run (RSA key generation is slow); each kit still gets its own APIv3 key and clock.
    private static readonly RSA SharedMerchantKey = RSA.Create(2048);
    private static readonly RSA SharedPlatformKey = RSA.Create(2048);
    private static readonly RSA SharedCertificatePlatformKey = RSA.Create(2048);

    public RSA MerchantKey => SharedMerchantKey;
    public RSA PlatformKey => SharedPlatformKey;
    public RSA CertificatePlatformKey => SharedCertificatePlatformKey;
    public string ApiV3Key { get; } = RandomKey();
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.Zero));

    public WeChatPayOptions Options()
    {
        var certificate = new CertificateRequest("CN=WeChat Pay Test Platform", CertificatePlatformKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(Time.GetUtcNow().AddDays(-1), Time.GetUtcNow().AddYears(1));
        return new WeChatPayOptions
        {
            MchId = MchId,
            AppId = AppId,
            MerchantSerialNo = MerchantSerial,
            MerchantPrivateKeyPem = MerchantKey.ExportPkcs8PrivateKeyPem(),
            ApiV3Key = ApiV3Key,
            PlatformPublicKeys = new()
            {
                [PlatformSerial] = PlatformKey.ExportSubjectPublicKeyInfoPem(),
                [CertificateSerial] = certificate.ExportCertificatePem(),
            },
            NotifyUrl = "https://api.homeservice.test/payments/wechatpay/notify",
            BaseUrl = "https://api.mch.weixin.test/",
        };
    }

    public WeChatPayMerchant Merchant() => WeChatPayMerchant.FromOptions(Options());

    public static string RandomKey() =>
        string.Create(32, 0, (span, _) =>
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });

    public static EncryptedResource Encrypt(string apiV3Key, string plaintext, string associatedData, string originalType)
    {
        var nonce = RandomKey()[..12];
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[plain.Length + 16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, cipher.AsSpan(0, plain.Length), cipher.AsSpan(plain.Length), Encoding.UTF8.GetBytes(associatedData));
        return new EncryptedResource("AEAD_AES_256_GCM", Convert.ToBase64String(cipher), associatedData, originalType, nonce);
    }

    public string Envelope(string eventType, EncryptedResource resource) => JsonSerializer.Serialize(new
    {
        id = "EV-2018022511223320873",
        create_time = "2025-03-01T10:00:00+08:00",
        resource_type = "encrypt-resource",
        event_type = eventType,
        summary = "支付成功",
        resource = new
        {
            original_type = resource.OriginalType,
            algorithm = resource.Algorithm,
            ciphertext = resource.Ciphertext,
            associated_data = resource.AssociatedData,
            nonce = resource.Nonce,
        },
    });

    public static string TransactionJson(string orderId = "ORDER_0001", long total = 10_000, long payerTotal = 9_900,
        string tradeState = "SUCCESS", string mchId = MchId, string appId = AppId) => JsonSerializer.Serialize(new
    {
        appid = appId,
        mchid = mchId,
        out_trade_no = orderId,
        transaction_id = "4200000001202503011234567890",
        trade_type = "JSAPI",
        trade_state = tradeState,
        trade_state_desc = "支付成功",
        bank_type = "CMC",
        success_time = "2025-03-01T10:00:00+08:00",
        payer = new { openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        amount = new { total, payer_total = payerTotal, currency = "CNY", payer_currency = "CNY" },
    });

    public static string RefundJson(string status = "SUCCESS", string orderId = "ORDER_0001", string refundId = "REFUND_0001") => JsonSerializer.Serialize(new
    {
        mchid = MchId,
        out_trade_no = orderId,
        transaction_id = "4200000001202503011234567890",
        out_refund_no = refundId,
        refund_id = "50000000382019052709732678859",
        refund_status = status,
        success_time = "2025-03-01T11:00:00+08:00",
        user_received_account = "招商银行信用卡0403",
        amount = new { total = 10_000, refund = 3_000, payer_total = 9_900, payer_refund = 2_970 },
    });

    /// <summary>Callback headers signed like WeChat Pay would, at the fake clock's time unless told otherwise.</summary>
    public Dictionary<string, string> SignedHeaders(string body, RSA? key = null, string serial = PlatformSerial, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? Time.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatPaySigner.NewNonce();
        return new Dictionary<string, string>
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = nonce,
            ["Wechatpay-Signature"] = WeChatPaySigner.Sign(key ?? PlatformKey, WeChatPaySigner.ResponseMessage(timestamp, nonce, body)),
            ["Wechatpay-Serial"] = serial,
            ["Wechatpay-Signature-Type"] = "WECHATPAY2-SHA256-RSA2048",
        };
    }

    public PaymentCallback SignedCallback(string eventType, string resourcePlaintext, string originalType = "transaction")
    {
        var body = Envelope(eventType, Encrypt(ApiV3Key, resourcePlaintext, originalType, originalType));
        return new PaymentCallback(SignedHeaders(body), body);
    }
}
