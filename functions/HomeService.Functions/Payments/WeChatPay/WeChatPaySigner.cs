using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>The WeChat Pay APIv3 signature formats (SHA256-RSA2048, PKCS#1 v1.5, base64).</summary>
public static class WeChatPaySigner
{
    public const string AuthorizationScheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary><c>METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>; GET requests sign an empty body.</summary>
    public static string RequestMessage(string method, string pathAndQuery, long timestamp, string nonce, string body) =>
        $"{method}\n{pathAndQuery}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{nonce}\n{body}\n";

    /// <summary><c>TIMESTAMP\nNONCE\nBODY\n</c> for responses and callbacks.</summary>
    public static string ResponseMessage(string timestamp, string nonce, string body) => $"{timestamp}\n{nonce}\n{body}\n";

    /// <summary><c>appId\ntimeStamp\nnonceStr\npackage\n</c> for wx.requestPayment.</summary>
    public static string PayMessage(string appId, string timeStamp, string nonceStr, string package) =>
        $"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n";

    public static string Sign(RSA privateKey, string message) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(RSA publicKey, string message, string signatureBase64)
    {
        var signature = new byte[signatureBase64.Length];
        if (!Convert.TryFromBase64String(signatureBase64, signature, out var length)) return false;
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(message), signature.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The Authorization header value (without the "Authorization: " name).</summary>
    public static string Authorization(string mchId, string nonce, string signature, long timestamp, string serialNo) =>
        $"{AuthorizationScheme} {AuthorizationParameter(mchId, nonce, signature, timestamp, serialNo)}";

    /// <summary>The part after the scheme: <c>mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"</c>.</summary>
    public static string AuthorizationParameter(string mchId, string nonce, string signature, long timestamp, string serialNo) =>
        $"mchid=\"{mchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp.ToString(CultureInfo.InvariantCulture)}\",serial_no=\"{serialNo}\"";

    /// <summary>32 random upper-case hex characters.</summary>
    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Signed parameters for <c>wx.requestPayment</c>.</summary>
    public static JsapiPayParameters JsapiPayParameters(string appId, string prepayId, RSA merchantKey, long timestamp, string nonce)
    {
        var timeStamp = timestamp.ToString(CultureInfo.InvariantCulture);
        var package = "prepay_id=" + prepayId;
        return new JsapiPayParameters(appId, timeStamp, nonce, package, "RSA", Sign(merchantKey, PayMessage(appId, timeStamp, nonce, package)));
    }
}

/// <summary>Exactly the object the mini-program passes to <c>wx.requestPayment</c>.</summary>
public sealed record JsapiPayParameters(string AppId, string TimeStamp, string NonceStr, string Package, string SignType, string PaySign)
{
    public IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        ["appId"] = AppId,
        ["timeStamp"] = TimeStamp,
        ["nonceStr"] = NonceStr,
        ["package"] = Package,
        ["signType"] = SignType,
        ["paySign"] = PaySign,
    };
}
