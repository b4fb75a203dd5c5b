using System.Security.Cryptography;
using System.Text;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Money;

/// <summary>Section <c>Money:WeChatTransfer</c>: how payouts appear at WeChat Pay (scene 1005 佣金报酬 must be granted to the merchant).</summary>
public sealed class WeChatTransferOptions
{
    public const string Section = "Money:WeChatTransfer";
    public const string CommissionScene = "1005";

    /// <summary>transfer_scene_id; only 1005 (佣金报酬, remuneration) is supported: its report infos are 岗位类型 and 报酬说明.</summary>
    public string SceneId { get; set; } = CommissionScene;
    /// <summary>岗位类型 reported with every transfer.</summary>
    public string PositionType { get; set; } = "家政服务人员";
    /// <summary>报酬说明 reported with every transfer.</summary>
    public string RewardDescription { get; set; } = "家政服务报酬提现";
    /// <summary>transfer_remark: shown to the payee, at most 32 characters.</summary>
    public string Remark { get; set; } = "家政服务报酬提现";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SceneId != CommissionScene) errors.Add($"{Section}:SceneId must be {CommissionScene} (佣金报酬); other scenes report other information.");
        if (string.IsNullOrWhiteSpace(PositionType) || PositionType.Length > 32) errors.Add($"{Section}:PositionType must be 1–32 characters.");
        if (string.IsNullOrWhiteSpace(RewardDescription) || RewardDescription.Length > 32) errors.Add($"{Section}:RewardDescription must be 1–32 characters.");
        if (string.IsNullOrWhiteSpace(Remark) || Remark.Length > 32) errors.Add($"{Section}:Remark must be 1–32 characters.");
        return errors;
    }
}

/// <summary>
/// Payouts to a WeChat balance through WeChat Pay v3 商家转账 (user-confirmation mode,
/// <c>POST /v3/fund-app/mch-transfer/transfer-bills</c>): the bill waits (WAIT_USER_CONFIRM, up to 24 h) until the
/// payee confirms in the mini-program with <c>wx.requestMerchantTransfer</c>, then WeChat completes it.
/// out_bill_no is derived from the idempotency key, and WeChat keeps one bill per out_bill_no, so a repeated call
/// with the same key can never pay twice; a new number (next attempt) is used only after WeChat has said this one failed.
/// </summary>
public sealed class WeChatPayTransferPayoutProvider(
    Func<WeChatPayClient> clients, WeChatPayMerchant merchant, WeChatTransferOptions options, ILogger<WeChatPayTransferPayoutProvider> logger) : IPayoutProvider
{
    /// <summary>From ¥2,000 WeChat requires the payee's real name (user_name, RSA-OAEP encrypted), which withdrawals do not collect.</summary>
    public const long RealNameThresholdFen = 200_000;

    /// <summary>Failures WeChat answers for the merchant's side (balance, rate, authorisation): the next run may succeed.</summary>
    private static readonly HashSet<string> RetryableCodes = new(StringComparer.Ordinal) { "NOT_ENOUGH", "FREQUENCY_LIMITED", "NO_AUTH", "SIGN_ERROR" };

    /// <summary>
    /// The merchant's number for one key: 32 characters of [0-9a-z] (WeChat allows letters and digits, ≤ 32), the same
    /// for the same key, different for each attempt.
    /// </summary>
    public static string OutBillNo(string idempotencyKey) =>
        "wd" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..30];

    public FieldError? Refusal(PayoutDestination destination, long netFen) => destination switch
    {
        not PayoutDestination.WeChatBalance => new FieldError(Withdrawals.DestinationField, "destination_unavailable"),
        _ when netFen >= RealNameThresholdFen => new FieldError("amountFen", "wechat_transfer_limit", RealNameThresholdFen / 100),
        _ => null,
    };

    public async Task<PayoutResult> PayAsync(PayoutOrder order, CancellationToken ct)
    {
        if (order.Payee is not PayeeWeChatBalance payee)
        {
            return new PayoutFailedResult("destination_unavailable: WeChat Pay transfers pay WeChat balances only", Retryable: false);
        }

        if (order.AmountFen >= RealNameThresholdFen || order.AmountFen <= 0)
        {
            return new PayoutFailedResult("wechat_transfer_limit: from ¥2,000 WeChat requires the payee's real name", Retryable: false);
        }

        var outBillNo = OutBillNo(order.IdempotencyKey);
        var request = new TransferBillRequest(merchant.AppId, outBillNo, options.SceneId, payee.OpenId, order.AmountFen, options.Remark,
            [new TransferSceneReportInfo("岗位类型", options.PositionType), new TransferSceneReportInfo("报酬说明", options.RewardDescription)]);
        var client = clients();
        PaymentProviderException refused;
        try
        {
            var bill = await client.CreateTransferBillAsync(request, ct);
            logger.LogInformation("WeChat transfer {OutBillNo} for withdrawal {WithdrawalId} attempt {Attempt}: {State}", outBillNo, order.WithdrawalId, order.Attempt, bill.State);
            return Map(bill);
        }
        catch (PaymentProviderException e) when (e.HttpStatus is >= 400 and < 500)
        {
            refused = e;
        }
        catch (Exception e) when (e is PaymentProviderException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // 5xx, network, timeout, or an answer whose signature does not verify: WeChat may hold the bill. Asked again under this key later.
            throw new PayoutOutcomeUnknownException($"WeChat transfer {outBillNo}: {(e as PaymentProviderException)?.Code ?? "TIMEOUT"}", e);
        }

        // WeChat: a refused request may still have a bill behind its number (e.g. the number exists with other data);
        // only once the query says there is none is the failure definite, and only then may a new number be used.
        logger.LogWarning("WeChat refused transfer {OutBillNo} for withdrawal {WithdrawalId}: {Code} {Message}", outBillNo, order.WithdrawalId, refused.Code, refused.Message);
        var existing = await QueryBillAsync(client, outBillNo, ct);
        return existing is not null
            ? Map(existing)
            : new PayoutFailedResult($"wechatpay {refused.Code}", RetryableCodes.Contains(refused.Code) || refused.HttpStatus is 401 or 403 or 429);
    }

    public async Task<PayoutResult?> QueryAsync(string idempotencyKey, CancellationToken ct)
    {
        var bill = await QueryBillAsync(clients(), OutBillNo(idempotencyKey), ct);
        return bill is null ? null : Map(bill);
    }

    /// <summary>The bill, or null when WeChat has none under this number (404 NOT_FOUND); any other failure is an unknown outcome.</summary>
    private static async Task<TransferBillResponse?> QueryBillAsync(WeChatPayClient client, string outBillNo, CancellationToken ct)
    {
        try
        {
            return await client.GetTransferBillAsync(outBillNo, ct);
        }
        catch (PaymentProviderException e) when (e.HttpStatus == 404)
        {
            return null;
        }
        catch (Exception e) when (e is PaymentProviderException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new PayoutOutcomeUnknownException($"WeChat transfer query {outBillNo}: {(e as PaymentProviderException)?.Code ?? "TIMEOUT"}", e);
        }
    }

    private PayoutResult Map(TransferBillResponse bill)
    {
        var reference = bill.TransferBillNo ?? bill.OutBillNo;
        return bill.State switch
        {
            "SUCCESS" => new PayoutSucceededResult(reference),
            // Final: nothing was paid (e.g. the payee did not confirm within 24 h); the money returns to the wallet.
            "FAIL" => new PayoutFailedResult($"wechatpay FAIL: {bill.FailReason ?? "no reason given"}", Retryable: false),
            "CANCELLED" => new PayoutFailedResult("wechatpay CANCELLED", Retryable: false),
            "WAIT_USER_CONFIRM" => new PayoutPendingResult(reference, bill.PackageInfo is { Length: > 0 } package
                ? new Dictionary<string, string> { ["mchId"] = merchant.MchId, ["appId"] = merchant.AppId, ["package"] = package }
                : null),
            // ACCEPTED, PROCESSING (funds being locked), TRANSFERING (confirmed, in transfer), CANCELING, or a state
            // this code does not know: not final, so only asking again settles it.
            _ => new PayoutPendingResult(reference, null, AwaitingPayee: false),
        };
    }
}
