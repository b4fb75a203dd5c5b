using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

/// <summary>
/// Plays api.mch.weixin.qq.com: checks each request's Authorization signature with the merchant
/// public key (401 otherwise, as WeChat Pay does) and signs its answers with the platform key.
/// </summary>
public sealed partial class FakeWeChatPayHandler(WeChatPayTestKit kit, Func<CapturedRequest, (HttpStatusCode Status, string Body)> respond) : HttpMessageHandler
{
    public List<CapturedRequest> Requests { get; } = [];
    public bool SignResponses { get; set; } = true;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var captured = new CapturedRequest(request.Method.Method, request.RequestUri!, request.Headers.Authorization?.ToString() ?? "",
            request.Headers.UserAgent.ToString(), request.Content?.Headers.ContentType?.MediaType, body);
        Requests.Add(captured);

        var (status, responseBody) = captured.SignatureValid(kit.MerchantKey)
            ? respond(captured)
            : (HttpStatusCode.Unauthorized, """{"code":"SIGN_ERROR","message":"签名错误"}""");

        var response = new HttpResponseMessage(status) { Content = new StringContent(responseBody, Encoding.UTF8, "application/json") };
        if (SignResponses)
            foreach (var (name, value) in kit.SignedHeaders(responseBody))
                response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }
}

public sealed partial record CapturedRequest(string Method, Uri Uri, string Authorization, string UserAgent, string? ContentType, string Body)
{
    public IReadOnlyDictionary<string, string> AuthorizationFields =>
        Field().Matches(Authorization).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    public bool SignatureValid(RSA merchantKey)
    {
        if (!Authorization.StartsWith(WeChatPaySigner.AuthorizationScheme + " ", StringComparison.Ordinal)) return false;
        var f = AuthorizationFields;
        if (!f.TryGetValue("timestamp", out var timestamp) || !f.TryGetValue("nonce_str", out var nonce) || !f.TryGetValue("signature", out var signature))
            return false;
        var message = $"{Method}\n{Uri.PathAndQuery}\n{timestamp}\n{nonce}\n{Body}\n";
        return WeChatPaySigner.Verify(merchantKey, message, signature);
    }

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex Field();
}
