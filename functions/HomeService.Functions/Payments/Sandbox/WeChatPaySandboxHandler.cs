using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Payments.Sandbox;

/// <summary>
/// The sandbox platform's HTTP side, in process: checks the merchant Authorization signature as WeChat Pay
/// does (401 SIGN_ERROR otherwise), answers JSAPI prepay and refund requests from <see cref="WeChatPaySandbox"/>,
/// and signs every answer with the platform key so the client's response verification runs for real.
/// </summary>
public sealed partial class WeChatPaySandboxHandler(WeChatPaySandbox sandbox) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var (status, answer) = Answer(request, body);
        var json = JsonSerializer.Serialize(answer, answer.GetType(), WeChatPayJson.Options);

        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
        response.Headers.TryAddWithoutValidation("Request-ID", Guid.NewGuid().ToString("N"));
        foreach (var (name, value) in sandbox.SignedHeaders(json))
            response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    private (int Status, object Body) Answer(HttpRequestMessage request, string body)
    {
        if (AuthorizationError(request, body) is { } signError)
            return (401, new WeChatPayError("SIGN_ERROR", signError));
        if (request.Method != HttpMethod.Post)
            return (405, new WeChatPayError("METHOD_NOT_ALLOWED", "请求方法不支持"));

        try
        {
            switch (request.RequestUri!.AbsolutePath)
            {
                case "/" + WeChatPayClient.JsapiPrepayPath:
                    var prepay = JsonSerializer.Deserialize<JsapiPrepayRequest>(body, WeChatPayJson.Options);
                    if (prepay is null || prepay.MchId != WeChatPaySandbox.MchId || string.IsNullOrEmpty(prepay.NotifyUrl) || prepay.Amount.Total <= 0)
                        return (400, new WeChatPayError("PARAM_ERROR", "参数错误"));
                    return sandbox.Prepay(prepay);
                case "/" + WeChatPayClient.RefundPath:
                    var refund = JsonSerializer.Deserialize<RefundCreateRequest>(body, WeChatPayJson.Options);
                    if (refund is null || string.IsNullOrEmpty(refund.OutRefundNo) || refund.Amount.Refund <= 0)
                        return (400, new WeChatPayError("PARAM_ERROR", "参数错误"));
                    return sandbox.Refund(refund);
                default:
                    return (404, new WeChatPayError("NOT_FOUND", "接口不存在"));
            }
        }
        catch (JsonException)
        {
            return (400, new WeChatPayError("PARAM_ERROR", "请求体不是有效的 JSON"));
        }
    }

    /// <summary>Why the merchant signature fails, or null when it verifies.</summary>
    private string? AuthorizationError(HttpRequestMessage request, string body)
    {
        var authorization = request.Headers.Authorization;
        if (authorization?.Scheme != WeChatPaySigner.AuthorizationScheme || authorization.Parameter is null)
            return "Authorization 缺失或格式错误";

        var fields = Field().Matches(authorization.Parameter).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        if (!fields.TryGetValue("mchid", out var mchId) || mchId != WeChatPaySandbox.MchId) return "商户号不匹配";
        if (!fields.TryGetValue("serial_no", out var serial) || serial != WeChatPaySandbox.MerchantSerialNo) return "证书序列号不匹配";
        if (!fields.TryGetValue("nonce_str", out var nonce) || !fields.TryGetValue("signature", out var signature)
            || !fields.TryGetValue("timestamp", out var timestamp)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return "Authorization 字段缺失";
        if (Math.Abs(sandbox.Time.GetUtcNow().ToUnixTimeSeconds() - seconds) > WeChatPaySignatureVerifier.MaxClockSkew.TotalSeconds)
            return "时间戳过期";

        var message = WeChatPaySigner.RequestMessage(request.Method.Method, request.RequestUri!.PathAndQuery, seconds, nonce, body);
        return WeChatPaySigner.Verify(sandbox.MerchantKey, message, signature) ? null : "签名错误";
    }

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex Field();
}
