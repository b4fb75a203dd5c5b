using System.Globalization;
using System.Security.Cryptography;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>Outcome of checking a Wechatpay-* signed message; <see cref="Reason"/> is null when valid.</summary>
public readonly record struct SignatureCheck(CallbackRejectionReason? Reason, string Detail)
{
    public bool IsValid => Reason is null;
    public static SignatureCheck Valid { get; } = new(null, "");
}

/// <summary>
/// Verifies callback and response signatures with the WeChat Pay public key named by
/// Wechatpay-Serial, and rejects timestamps more than five minutes from now (replay window).
/// Within the window a replayed callback verifies; idempotent processing makes it harmless.
/// </summary>
public sealed class WeChatPaySignatureVerifier(IReadOnlyDictionary<string, RSA> platformKeys, TimeProvider timeProvider)
{
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public SignatureCheck Verify(Func<string, string?> header, string body)
    {
        var timestamp = header(TimestampHeader);
        var nonce = header(NonceHeader);
        var signature = header(SignatureHeader);
        var serial = header(SerialHeader);
        var missing = new[] { (TimestampHeader, timestamp), (NonceHeader, nonce), (SignatureHeader, signature), (SerialHeader, serial) }
            .Where(h => string.IsNullOrEmpty(h.Item2)).Select(h => h.Item1).ToList();
        if (missing.Count > 0) return new(CallbackRejectionReason.MissingHeader, "Missing " + string.Join(", ", missing));

        if (!platformKeys.TryGetValue(serial!, out var key))
            return new(CallbackRejectionReason.UnknownSerial, $"No WeChat Pay public key for serial {serial}");

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return new(CallbackRejectionReason.StaleTimestamp, "Timestamp is not a number of seconds");
        var skew = timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (skew.Duration() > MaxClockSkew)
            return new(CallbackRejectionReason.StaleTimestamp, $"Timestamp is {skew.TotalSeconds:F0}s away from now");

        return WeChatPaySigner.Verify(key, WeChatPaySigner.ResponseMessage(timestamp!, nonce!, body), signature!)
            ? SignatureCheck.Valid
            : new(CallbackRejectionReason.BadSignature, "Signature does not verify");
    }
}
