using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>WeChat Pay APIv3 JSAPI (mini-program) payments behind <see cref="IPaymentProvider"/>.</summary>
public sealed partial class WeChatPayProvider(WeChatPayClient client, WeChatPayMerchant merchant, TimeProvider timeProvider) : IPaymentProvider
{
    public const string ProviderName = "wechatpay";
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);
    private readonly WeChatPaySignatureVerifier _verifier = new(merchant.PlatformKeys, timeProvider);

    public string Name => ProviderName;

    public async Task<ClientPayParameters> CreatePaymentAsync(CreatePaymentRequest request, CancellationToken cancellationToken)
    {
        RequireMerchantNumber(request.OrderId, nameof(request.OrderId));
        if (request.AmountFen <= 0) throw new ArgumentOutOfRangeException(nameof(request), "AmountFen must be positive.");
        if (string.IsNullOrWhiteSpace(request.Description) || request.Description.Length > 127)
            throw new ArgumentException("Description must be 1–127 characters.", nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PayerOpenId);

        var prepay = await client.JsapiPrepayAsync(new JsapiPrepayRequest(
            merchant.AppId, merchant.MchId, request.Description, request.OrderId,
            request.ExpiresAt.ToOffset(ChinaStandardTime).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            merchant.NotifyUrl, new PayAmount(request.AmountFen), new Payer(request.PayerOpenId)), cancellationToken);

        var pay = WeChatPaySigner.JsapiPayParameters(merchant.AppId, prepay.PrepayId, merchant.MerchantKey,
            timeProvider.GetUtcNow().ToUnixTimeSeconds(), WeChatPaySigner.NewNonce());
        return new ClientPayParameters(ProviderName, request.OrderId, pay.ToDictionary());
    }

    public async Task<RefundAccepted> RequestRefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        RequireMerchantNumber(request.OrderId, nameof(request.OrderId));
        RequireMerchantNumber(request.RefundId, nameof(request.RefundId));
        if (request.RefundFen <= 0 || request.RefundFen > request.TotalFen)
            throw new ArgumentOutOfRangeException(nameof(request), "RefundFen must be positive and at most TotalFen.");

        var response = await client.CreateRefundAsync(new RefundCreateRequest(
            request.OrderId, request.RefundId, string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason,
            merchant.NotifyUrl, new RefundCreateAmount(request.RefundFen, request.TotalFen)), cancellationToken);

        var progress = response.Status switch
        {
            "SUCCESS" => RefundProgress.Succeeded,
            "CLOSED" => RefundProgress.Closed,
            "ABNORMAL" => RefundProgress.Abnormal,
            _ => RefundProgress.Processing,
        };
        return new RefundAccepted(response.OutRefundNo, response.RefundId, progress);
    }

    public CallbackResult ParseCallback(PaymentCallback callback)
    {
        var check = _verifier.Verify(callback.Header, callback.Body);
        if (!check.IsValid) return Reject(check.Reason!.Value, check.Detail);

        NotificationEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<NotificationEnvelope>(callback.Body, WeChatPayJson.Options);
        }
        catch (JsonException ex)
        {
            return Reject(CallbackRejectionReason.MalformedBody, ex.Message);
        }
        if (envelope?.Resource is not { } resource || string.IsNullOrEmpty(envelope.EventType))
            return Reject(CallbackRejectionReason.MalformedBody, "Missing event_type or resource");
        if (resource.Algorithm != WeChatPayResourceDecryptor.Algorithm)
            return Reject(CallbackRejectionReason.UnsupportedAlgorithm, $"Algorithm {resource.Algorithm}");
        if (!WeChatPayResourceDecryptor.TryDecrypt(merchant.ApiV3Key, resource, out var plaintext, out var error))
            return Reject(CallbackRejectionReason.DecryptionFailed, error);

        var eventId = envelope.Id ?? "";
        try
        {
            return envelope.EventType.StartsWith("TRANSACTION.", StringComparison.Ordinal)
                ? FromTransaction(eventId, JsonSerializer.Deserialize<TransactionResource>(plaintext, WeChatPayJson.Options))
                : envelope.EventType.StartsWith("REFUND.", StringComparison.Ordinal)
                    ? FromRefund(eventId, JsonSerializer.Deserialize<RefundResource>(plaintext, WeChatPayJson.Options))
                    : Reject(CallbackRejectionReason.UnsupportedEvent, $"Event type {envelope.EventType}");
        }
        catch (JsonException ex)
        {
            return Reject(CallbackRejectionReason.MalformedBody, "Decrypted resource: " + ex.Message);
        }
    }

    private CallbackResult FromTransaction(string eventId, TransactionResource? t)
    {
        if (t is not { OutTradeNo: { } orderId, TransactionId: { } transactionId, TradeState: { } state, Amount: { } amount })
            return Reject(CallbackRejectionReason.MalformedBody, "Transaction resource lacks out_trade_no, transaction_id, trade_state or amount");
        if (t.MchId != merchant.MchId || t.AppId != merchant.AppId)
            return Reject(CallbackRejectionReason.MerchantMismatch, $"Transaction for mchid {t.MchId} / appid {t.AppId}");

        PaymentNotificationKind? kind = state switch
        {
            "SUCCESS" => PaymentNotificationKind.Paid,
            "CLOSED" or "REVOKED" or "PAYERROR" => PaymentNotificationKind.PaymentFailed,
            _ => null,
        };
        if (kind is null) return Reject(CallbackRejectionReason.UnsupportedEvent, $"Trade state {state}");
        return new CallbackResult.Verified(new PaymentNotification(kind.Value, eventId, orderId, null, transactionId, null,
            amount.Total, amount.Total, amount.PayerTotal, t.SuccessTime?.ToUniversalTime(), state));
    }

    private CallbackResult FromRefund(string eventId, RefundResource? r)
    {
        if (r is not { OutTradeNo: { } orderId, OutRefundNo: { } refundId, RefundStatus: { } status, Amount: { } amount })
            return Reject(CallbackRejectionReason.MalformedBody, "Refund resource lacks out_trade_no, out_refund_no, refund_status or amount");
        if (r.MchId != merchant.MchId)
            return Reject(CallbackRejectionReason.MerchantMismatch, $"Refund for mchid {r.MchId}");

        PaymentNotificationKind? kind = status switch
        {
            "SUCCESS" => PaymentNotificationKind.Refunded,
            "ABNORMAL" => PaymentNotificationKind.RefundFailed,
            "CLOSED" => PaymentNotificationKind.RefundClosed,
            _ => null,
        };
        if (kind is null) return Reject(CallbackRejectionReason.UnsupportedEvent, $"Refund status {status}");
        return new CallbackResult.Verified(new PaymentNotification(kind.Value, eventId, orderId, refundId, r.TransactionId ?? "", r.RefundId,
            amount.Refund, amount.Total, amount.PayerRefund, r.SuccessTime?.ToUniversalTime(), status));
    }

    private static CallbackResult.Rejected Reject(CallbackRejectionReason reason, string detail) => new(reason, detail);

    /// <summary>out_trade_no / out_refund_no: 6–32 characters of [A-Za-z0-9_-|*].</summary>
    private static void RequireMerchantNumber(string value, string name)
    {
        if (value is null || !MerchantNumber().IsMatch(value))
            throw new ArgumentException($"{name} must be 6–32 characters of letters, digits, _ - | *.", name);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-|*]{6,32}$")]
    private static partial Regex MerchantNumber();
}
