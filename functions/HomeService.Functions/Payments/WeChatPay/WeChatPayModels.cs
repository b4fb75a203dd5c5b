using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeService.Functions.Payments.WeChatPay;

internal static class WeChatPayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

// --- POST /v3/pay/transactions/jsapi

public sealed record JsapiPrepayRequest(
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("mchid")] string MchId,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("out_trade_no")] string OutTradeNo,
    [property: JsonPropertyName("time_expire")] string? TimeExpire,
    [property: JsonPropertyName("notify_url")] string NotifyUrl,
    [property: JsonPropertyName("amount")] PayAmount Amount,
    [property: JsonPropertyName("payer")] Payer Payer);

public sealed record PayAmount(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("currency")] string Currency = "CNY");

public sealed record Payer([property: JsonPropertyName("openid")] string OpenId);

public sealed record JsapiPrepayResponse([property: JsonPropertyName("prepay_id")] string PrepayId);

// --- POST /v3/refund/domestic/refunds

public sealed record RefundCreateRequest(
    [property: JsonPropertyName("out_trade_no")] string OutTradeNo,
    [property: JsonPropertyName("out_refund_no")] string OutRefundNo,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("notify_url")] string NotifyUrl,
    [property: JsonPropertyName("amount")] RefundCreateAmount Amount);

public sealed record RefundCreateAmount(
    [property: JsonPropertyName("refund")] long Refund,
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("currency")] string Currency = "CNY");

public sealed record RefundResponse(
    [property: JsonPropertyName("refund_id")] string RefundId,
    [property: JsonPropertyName("out_refund_no")] string OutRefundNo,
    [property: JsonPropertyName("transaction_id")] string? TransactionId,
    [property: JsonPropertyName("out_trade_no")] string? OutTradeNo,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("amount")] RefundAmountDetail? Amount);

public sealed record RefundAmountDetail(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("refund")] long Refund,
    [property: JsonPropertyName("payer_total")] long? PayerTotal,
    [property: JsonPropertyName("payer_refund")] long? PayerRefund);

// --- POST /v3/fund-app/mch-transfer/transfer-bills, GET …/transfer-bills/out-bill-no/{out_bill_no}

public sealed record TransferBillRequest(
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("out_bill_no")] string OutBillNo,
    [property: JsonPropertyName("transfer_scene_id")] string TransferSceneId,
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("transfer_amount")] long TransferAmount,
    [property: JsonPropertyName("transfer_remark")] string TransferRemark,
    [property: JsonPropertyName("transfer_scene_report_infos")] IReadOnlyList<TransferSceneReportInfo> TransferSceneReportInfos,
    [property: JsonPropertyName("user_recv_perception")] string? UserRecvPerception = null,
    [property: JsonPropertyName("notify_url")] string? NotifyUrl = null);

public sealed record TransferSceneReportInfo(
    [property: JsonPropertyName("info_type")] string InfoType,
    [property: JsonPropertyName("info_content")] string InfoContent);

/// <summary>The answer of both create and query (query adds amount, openid and update_time).</summary>
public sealed record TransferBillResponse(
    [property: JsonPropertyName("out_bill_no")] string OutBillNo,
    [property: JsonPropertyName("transfer_bill_no")] string? TransferBillNo,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("fail_reason")] string? FailReason = null,
    [property: JsonPropertyName("package_info")] string? PackageInfo = null,
    [property: JsonPropertyName("transfer_amount")] long? TransferAmount = null,
    [property: JsonPropertyName("openid")] string? OpenId = null,
    [property: JsonPropertyName("create_time")] DateTimeOffset? CreateTime = null,
    [property: JsonPropertyName("update_time")] DateTimeOffset? UpdateTime = null);

public sealed record WeChatPayError(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);

// --- Callbacks

public sealed record NotificationEnvelope(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("create_time")] string? CreateTime,
    [property: JsonPropertyName("event_type")] string? EventType,
    [property: JsonPropertyName("resource_type")] string? ResourceType,
    [property: JsonPropertyName("summary")] string? Summary,
    [property: JsonPropertyName("resource")] EncryptedResource? Resource);

public sealed record EncryptedResource(
    [property: JsonPropertyName("algorithm")] string? Algorithm,
    [property: JsonPropertyName("ciphertext")] string? Ciphertext,
    [property: JsonPropertyName("associated_data")] string? AssociatedData,
    [property: JsonPropertyName("original_type")] string? OriginalType,
    [property: JsonPropertyName("nonce")] string? Nonce);

/// <summary>Decrypted resource of TRANSACTION.* notifications.</summary>
public sealed record TransactionResource(
    [property: JsonPropertyName("appid")] string? AppId,
    [property: JsonPropertyName("mchid")] string? MchId,
    [property: JsonPropertyName("out_trade_no")] string? OutTradeNo,
    [property: JsonPropertyName("transaction_id")] string? TransactionId,
    [property: JsonPropertyName("trade_type")] string? TradeType,
    [property: JsonPropertyName("trade_state")] string? TradeState,
    [property: JsonPropertyName("success_time")] DateTimeOffset? SuccessTime,
    [property: JsonPropertyName("payer")] Payer? Payer,
    [property: JsonPropertyName("amount")] TransactionAmount? Amount);

public sealed record TransactionAmount(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("payer_total")] long? PayerTotal,
    [property: JsonPropertyName("currency")] string? Currency);

/// <summary>Decrypted resource of REFUND.* notifications.</summary>
public sealed record RefundResource(
    [property: JsonPropertyName("mchid")] string? MchId,
    [property: JsonPropertyName("out_trade_no")] string? OutTradeNo,
    [property: JsonPropertyName("transaction_id")] string? TransactionId,
    [property: JsonPropertyName("out_refund_no")] string? OutRefundNo,
    [property: JsonPropertyName("refund_id")] string? RefundId,
    [property: JsonPropertyName("refund_status")] string? RefundStatus,
    [property: JsonPropertyName("success_time")] DateTimeOffset? SuccessTime,
    [property: JsonPropertyName("amount")] RefundAmountDetail? Amount);
