namespace HomeService.Functions.Payments;

/// <summary>
/// The payment provider port: WeChat Pay in Azure, a sandbox locally. Callbacks are verified here;
/// idempotent processing (a replayed callback changes nothing) is the caller's job, keyed on
/// (order id, notification kind, refund id).
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Provider name stored with the payment, e.g. "wechatpay" or "sandbox".</summary>
    string Name { get; }

    /// <summary>Creates the provider-side order and returns what the client passes to its pay API.</summary>
    Task<ClientPayParameters> CreatePaymentAsync(CreatePaymentRequest request, CancellationToken cancellationToken);

    /// <summary>Verifies and decodes a callback. Never throws for bad input: forged, stale or malformed callbacks are rejections.</summary>
    CallbackResult ParseCallback(PaymentCallback callback);

    /// <summary>Asks the provider to refund; the outcome usually arrives later as a callback.</summary>
    Task<RefundAccepted> RequestRefundAsync(RefundRequest request, CancellationToken cancellationToken);
}

/// <param name="OrderId">Our order id; becomes the provider's out_trade_no.</param>
/// <param name="ExpiresAt">After this the provider refuses to take the money.</param>
public sealed record CreatePaymentRequest(string OrderId, long AmountFen, string Description, string PayerOpenId, DateTimeOffset ExpiresAt);

/// <summary>
/// Parameters for the client's pay call, serialised as-is (for WeChat: the object given to
/// <c>wx.requestPayment</c>: appId, timeStamp, nonceStr, package, signType, paySign).
/// </summary>
public sealed record ClientPayParameters(string Provider, string OrderId, IReadOnlyDictionary<string, string> Parameters);

/// <summary>An incoming callback: raw headers (looked up case-insensitively) and the raw body, unmodified.</summary>
public sealed record PaymentCallback(IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name)
    {
        if (Headers.TryGetValue(name, out var exact)) return exact;
        foreach (var (key, value) in Headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}

/// <param name="RefundId">Our refund id; becomes the provider's out_refund_no.</param>
/// <param name="TotalFen">The original payment amount.</param>
public sealed record RefundRequest(string OrderId, string RefundId, long RefundFen, long TotalFen, string? Reason);

public enum RefundProgress { Processing, Succeeded, Closed, Abnormal }

public sealed record RefundAccepted(string RefundId, string ProviderRefundId, RefundProgress Progress);

public enum PaymentNotificationKind { Paid, PaymentFailed, Refunded, RefundFailed, RefundClosed }

/// <summary>A verified, decrypted notification.</summary>
/// <param name="EventId">Provider's notification id (for logs; deduplicate on OrderId + Kind + RefundId instead).</param>
/// <param name="AmountFen">Paid: order total; refund kinds: the refund amount.</param>
/// <param name="TotalFen">The order total the provider reports.</param>
/// <param name="PayerAmountFen">What the payer actually paid or received, after coupons, when reported.</param>
public sealed record PaymentNotification(
    PaymentNotificationKind Kind,
    string EventId,
    string OrderId,
    string? RefundId,
    string ProviderTransactionId,
    string? ProviderRefundId,
    long AmountFen,
    long TotalFen,
    long? PayerAmountFen,
    DateTimeOffset? OccurredAt,
    string ProviderState);

public enum CallbackRejectionReason
{
    MissingHeader,
    UnknownSerial,
    StaleTimestamp,
    BadSignature,
    MalformedBody,
    UnsupportedAlgorithm,
    DecryptionFailed,
    MerchantMismatch,
    UnsupportedEvent,
}

public abstract record CallbackResult
{
    private CallbackResult() { }

    public sealed record Verified(PaymentNotification Notification) : CallbackResult;

    public sealed record Rejected(CallbackRejectionReason Reason, string Detail) : CallbackResult;
}

/// <summary>The provider refused a request or answered something we cannot trust.</summary>
public sealed class PaymentProviderException(string provider, string code, string message, int? httpStatus = null, Exception? inner = null)
    : Exception($"{provider} {code}: {message}", inner)
{
    public string Provider { get; } = provider;
    public string Code { get; } = code;
    public int? HttpStatus { get; } = httpStatus;

    /// <summary>Server-side or transport failures are worth retrying with the same out_trade_no / out_refund_no.</summary>
    public bool IsRetryable => HttpStatus is null or >= 500 or 429;
}
