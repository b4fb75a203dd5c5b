using System.Text.Json.Serialization;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Auth;

public sealed record WeChatSession(string OpenId, string? UnionId);

/// <summary>Port to WeChat's code2session (wx.login code → openid).</summary>
public interface IWeChatLogin
{
    /// <summary>Exchanges a mini-program login code; null when WeChat rejects the code.</summary>
    Task<WeChatSession?> Code2SessionAsync(string code, CancellationToken ct);
}

/// <summary>
/// Local sandbox of code2session (Development only): a code "test-&lt;name&gt;" logs in as openid
/// "sandbox-&lt;name&gt;"; anything else is rejected as WeChat would reject an unknown code.
/// </summary>
public sealed class SandboxWeChatLogin : IWeChatLogin
{
    public const string CodePrefix = "test-";

    public Task<WeChatSession?> Code2SessionAsync(string code, CancellationToken ct)
    {
        var name = code.StartsWith(CodePrefix, StringComparison.Ordinal) ? code[CodePrefix.Length..] : "";
        var valid = name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        return Task.FromResult(valid ? new WeChatSession($"sandbox-{name}", null) : null);
    }
}

/// <summary>code2session against the WeChat API (GET /sns/jscode2session). The session key is never stored.</summary>
public sealed class WeChatApiLogin(HttpClient http, IOptions<AuthOptions> options, ILogger<WeChatApiLogin> logger) : IWeChatLogin
{
    public async Task<WeChatSession?> Code2SessionAsync(string code, CancellationToken ct)
    {
        var wx = options.Value.WeChat;
        var url = $"sns/jscode2session?appid={Uri.EscapeDataString(wx.AppId!)}&secret={Uri.EscapeDataString(wx.AppSecret!)}" +
                  $"&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code";
        using var response = await http.GetAsync(url, ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("code2session answered HTTP {Status}", (int)response.StatusCode);
            throw new FeatureUnavailableException("service_unavailable");
        }

        var body = await response.Content.ReadFromJsonAsync<Code2SessionResponse>(ct);
        if (body is null || body.ErrCode != 0 || string.IsNullOrEmpty(body.OpenId))
        {
            logger.LogInformation("code2session rejected a code: {ErrCode}", body?.ErrCode);
            return null;
        }

        return new WeChatSession(body.OpenId, body.UnionId);
    }

    private sealed record Code2SessionResponse(
        [property: JsonPropertyName("openid")] string? OpenId,
        [property: JsonPropertyName("unionid")] string? UnionId,
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string? ErrMsg);
}
