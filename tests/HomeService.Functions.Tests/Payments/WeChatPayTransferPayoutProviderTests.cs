using System.Net;
using System.Text.Json;
using HomeService.Functions.Money;
using HomeService.Functions.Payments.WeChatPay;
using Microsoft.Extensions.Logging.Abstractions;

namespace HomeService.Functions.Tests.Payments;

/// <summary>The WeChat Pay 商家转账 payout adapter against a fake api.mch.weixin.qq.com that checks every signature.</summary>
public sealed class WeChatPayTransferPayoutProviderTests : IDisposable
{
    private const string OpenId = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    private const string BillPath = "/v3/fund-app/mch-transfer/transfer-bills";
    private readonly WeChatPayTestKit _kit = new();
    private readonly WeChatPayMerchant _merchant;

    public WeChatPayTransferPayoutProviderTests() => _merchant = _kit.Merchant();

    public void Dispose() => _merchant.Dispose();

    private (WeChatPayTransferPayoutProvider Provider, FakeWeChatPayHandler Handler) Create(Func<CapturedRequest, (HttpStatusCode, string)> respond)
    {
        var handler = new FakeWeChatPayHandler(_kit, respond);
        var provider = new WeChatPayTransferPayoutProvider(() => new WeChatPayClient(new HttpClient(handler), _merchant, _kit.Time), _merchant,
            new WeChatTransferOptions(), NullLogger<WeChatPayTransferPayoutProvider>.Instance);
        return (provider, handler);
    }

    private static PayoutOrder Order(int attempt = 1, long amountFen = 29_900, Payee? payee = null) =>
        new($"wd_0123456789abcdef0123456789abcdef:{attempt}", "wd_0123456789abcdef0123456789abcdef", attempt, amountFen, "worker:u1",
            payee ?? new PayeeWeChatBalance(OpenId));

    private static string Bill(string outBillNo, string state, string? failReason = null, string? package = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["out_bill_no"] = outBillNo,
        ["transfer_bill_no"] = "1330000071100999991182020050700019480001",
        ["create_time"] = "2026-03-02T10:00:00+08:00",
        ["state"] = state,
        ["fail_reason"] = failReason,
        ["package_info"] = package,
    }.Where(kv => kv.Value is not null).ToDictionary());

    private static string OutBillNoOf(CapturedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("out_bill_no").GetString()!;

    [Fact]
    public async Task Pay_posts_a_signed_transfer_bill_for_the_openid_and_amount_and_answers_the_confirmation_for_the_mini_program()
    {
        var (provider, handler) = Create(r => (HttpStatusCode.OK, Bill(OutBillNoOf(r), "WAIT_USER_CONFIRM", package: "ABBQO+oYAAABAAAAAACqHQWO")));

        var result = await provider.PayAsync(Order(), CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(("POST", "https://api.mch.weixin.test" + BillPath), (request.Method, request.Uri.ToString()));
        Assert.True(request.SignatureValid(_kit.MerchantKey));
        Assert.Equal(WeChatPayTestKit.MchId, request.AuthorizationFields["mchid"]);
        var body = JsonDocument.Parse(request.Body).RootElement;
        var outBillNo = WeChatPayTransferPayoutProvider.OutBillNo(Order().IdempotencyKey);
        Assert.Matches("^[0-9A-Za-z]{32}$", outBillNo);
        Assert.Equal((WeChatPayTestKit.AppId, outBillNo, OpenId, 29_900L, "1005"),
            (body.GetProperty("appid").GetString(), body.GetProperty("out_bill_no").GetString(), body.GetProperty("openid").GetString(),
             body.GetProperty("transfer_amount").GetInt64(), body.GetProperty("transfer_scene_id").GetString()));
        Assert.Equal(["岗位类型", "报酬说明"], body.GetProperty("transfer_scene_report_infos").EnumerateArray().Select(i => i.GetProperty("info_type").GetString()!));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("transfer_remark").GetString()));
        Assert.False(body.TryGetProperty("user_name", out _));
        var pending = Assert.IsType<PayoutPendingResult>(result);
        Assert.Equal("1330000071100999991182020050700019480001", pending.ProviderReference);
        Assert.Equal(new Dictionary<string, string> { ["mchId"] = WeChatPayTestKit.MchId, ["appId"] = WeChatPayTestKit.AppId, ["package"] = "ABBQO+oYAAABAAAAAACqHQWO" },
            pending.Confirmation);
    }

    [Fact]
    public async Task The_same_key_always_sends_the_same_out_bill_no_and_another_attempt_a_different_one()
    {
        var (provider, handler) = Create(r => (HttpStatusCode.OK, Bill(OutBillNoOf(r), "SUCCESS")));

        await provider.PayAsync(Order(attempt: 1), CancellationToken.None);
        await provider.PayAsync(Order(attempt: 1), CancellationToken.None);
        await provider.PayAsync(Order(attempt: 2), CancellationToken.None);

        var numbers = handler.Requests.Select(OutBillNoOf).ToArray();
        Assert.Equal(numbers[0], numbers[1]);
        Assert.NotEqual(numbers[0], numbers[2]);
    }

    [Theory]
    [InlineData("SUCCESS", "succeeded")]
    [InlineData("FAIL", "failed")]
    [InlineData("CANCELLED", "failed")]
    [InlineData("ACCEPTED", "pending")]
    [InlineData("PROCESSING", "pending")]
    [InlineData("TRANSFERING", "pending")]
    public async Task Each_bill_state_maps_to_its_payout_result(string state, string expected)
    {
        var (provider, _) = Create(r => (HttpStatusCode.OK, Bill(OutBillNoOf(r), state, failReason: state == "FAIL" ? "TRANSFER_RISK" : null)));

        var result = await provider.PayAsync(Order(), CancellationToken.None);

        Assert.Equal(expected, result switch
        {
            PayoutSucceededResult { ProviderReference: "1330000071100999991182020050700019480001" } => "succeeded",
            PayoutFailedResult { Retryable: false } => "failed",
            PayoutPendingResult { Confirmation: null, AwaitingPayee: false } => "pending",
            _ => result.ToString(),
        });
        if (result is PayoutFailedResult failed && state == "FAIL") Assert.Contains("TRANSFER_RISK", failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "NOT_ENOUGH", true)]
    [InlineData(HttpStatusCode.TooManyRequests, "FREQUENCY_LIMITED", true)]
    [InlineData(HttpStatusCode.BadRequest, "PARAM_ERROR", false)]
    [InlineData(HttpStatusCode.BadRequest, "INVALID_REQUEST", false)]
    public async Task A_refusal_becomes_a_failure_only_once_wechat_confirms_it_holds_no_bill_under_the_number(HttpStatusCode status, string code, bool retryable)
    {
        var (provider, handler) = Create(r => r.Method == "POST"
            ? (status, $$"""{"code":"{{code}}","message":"refused"}""")
            : (HttpStatusCode.NotFound, """{"code":"NOT_FOUND","message":"记录不存在"}"""));

        var result = await provider.PayAsync(Order(), CancellationToken.None);

        var failed = Assert.IsType<PayoutFailedResult>(result);
        Assert.Equal((retryable, true), (failed.Retryable, failed.Reason.Contains(code, StringComparison.Ordinal)));
        var query = handler.Requests[1];
        Assert.Equal(("GET", $"{BillPath}/out-bill-no/{WeChatPayTransferPayoutProvider.OutBillNo(Order().IdempotencyKey)}", ""),
            (query.Method, query.Uri.AbsolutePath, query.Body));
        Assert.True(query.SignatureValid(_kit.MerchantKey));
    }

    [Fact]
    public async Task A_number_wechat_already_holds_answers_that_bill_instead_of_paying_again()
    {
        // WeChat refuses a reused out_bill_no whose data differ; the bill behind it is what counts.
        var (provider, handler) = Create(r => r.Method == "POST"
            ? (HttpStatusCode.BadRequest, """{"code":"INVALID_REQUEST","message":"单号已存在但信息不一致，请查单后比较确认"}""")
            : (HttpStatusCode.OK, Bill(r.Uri.Segments[^1], "SUCCESS")));

        var result = await provider.PayAsync(Order(), CancellationToken.None);

        Assert.IsType<PayoutSucceededResult>(result);
        Assert.Equal(["POST", "GET"], handler.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task A_server_error_a_network_failure_or_an_unsigned_answer_is_an_unknown_outcome_to_ask_about_again_under_the_same_key()
    {
        var (serverError, _) = Create(_ => (HttpStatusCode.InternalServerError, """{"code":"SYSTEM_ERROR","message":"系统繁忙"}"""));
        var (network, _) = Create(_ => throw new HttpRequestException("connection reset"));
        var (unsigned, unsignedHandler) = Create(r => (HttpStatusCode.OK, Bill(OutBillNoOf(r), "SUCCESS")));
        unsignedHandler.SignResponses = false;

        await Assert.ThrowsAsync<PayoutOutcomeUnknownException>(() => serverError.PayAsync(Order(), CancellationToken.None));
        await Assert.ThrowsAsync<PayoutOutcomeUnknownException>(() => network.PayAsync(Order(), CancellationToken.None));
        await Assert.ThrowsAsync<PayoutOutcomeUnknownException>(() => unsigned.PayAsync(Order(), CancellationToken.None));
        await Assert.ThrowsAsync<PayoutOutcomeUnknownException>(() => serverError.QueryAsync(Order().IdempotencyKey, CancellationToken.None));
    }

    [Fact]
    public async Task Query_answers_null_for_a_number_wechat_never_received_and_maps_a_bill_it_holds()
    {
        var outBillNo = WeChatPayTransferPayoutProvider.OutBillNo(Order().IdempotencyKey);
        var (unknown, _) = Create(_ => (HttpStatusCode.NotFound, """{"code":"NOT_FOUND","message":"记录不存在"}"""));
        var (awaiting, _) = Create(_ => (HttpStatusCode.OK, Bill(outBillNo, "WAIT_USER_CONFIRM")));
        var (paid, handler) = Create(_ => (HttpStatusCode.OK, Bill(outBillNo, "SUCCESS")));

        Assert.Null(await unknown.QueryAsync(Order().IdempotencyKey, CancellationToken.None));
        // Awaiting the payee, but the query did not repeat the package: the one stored stays.
        Assert.Equal(new PayoutPendingResult("1330000071100999991182020050700019480001", null, AwaitingPayee: true),
            await awaiting.QueryAsync(Order().IdempotencyKey, CancellationToken.None));
        Assert.IsType<PayoutSucceededResult>(await paid.QueryAsync(Order().IdempotencyKey, CancellationToken.None));
        Assert.True(Assert.Single(handler.Requests).SignatureValid(_kit.MerchantKey));
    }

    [Fact]
    public async Task A_bank_card_or_an_amount_that_needs_the_payees_real_name_is_refused_without_calling_wechat()
    {
        var (provider, handler) = Create(_ => throw new InvalidOperationException("must not be called"));

        var card = await provider.PayAsync(Order(payee: new PayeeCard("card_1", "张三", "工商银行", "6222 **** **** 1234", "1234", "hash")), CancellationToken.None);
        var large = await provider.PayAsync(Order(amountFen: WeChatPayTransferPayoutProvider.RealNameThresholdFen), CancellationToken.None);

        Assert.False(Assert.IsType<PayoutFailedResult>(card).Retryable);
        Assert.False(Assert.IsType<PayoutFailedResult>(large).Retryable);
        Assert.Empty(handler.Requests);
        Assert.Equal("destination_unavailable", provider.Refusal(PayoutDestination.BankCard, 10_000)!.Code);
        Assert.Equal("wechat_transfer_limit", provider.Refusal(PayoutDestination.WeChatBalance, 200_000)!.Code);
        Assert.Null(provider.Refusal(PayoutDestination.WeChatBalance, 199_999));
    }
}
