using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using HomeService.Functions.Auth;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Notifications;

/// <summary>WeChat answered a push with an error that a retry may cure (or that someone has to fix): the queue retries it.</summary>
public sealed class WeChatPushException(int errCode, string? errMsg)
    : Exception($"WeChat answered errcode {errCode}: {errMsg}")
{
    public int ErrCode { get; } = errCode;
}

/// <summary>
/// Pushes through WeChat mini-program subscribe messages (POST /cgi-bin/message/subscribe/send). The access token
/// comes from /cgi-bin/stable_token, is cached until shortly before it expires and is refreshed once when WeChat
/// calls it invalid or expired. Users without an openid (phone-only) and keys without a template are skipped;
/// 43101 (the user has no subscription left for the template) is normal and skipped; other errors throw.
/// </summary>
public sealed class WeChatSubscribePushSender(
    IHttpClientFactory clients,
    IOptions<PushOptions> pushOptions,
    IOptions<AuthOptions> authOptions,
    UserAccounts users,
    TimeProvider time,
    ILogger<WeChatSubscribePushSender> logger) : IPushSender
{
    public const string HttpClientName = "WeChatPush";
    public const string SendPath = "cgi-bin/message/subscribe/send";
    public const string StableTokenPath = "cgi-bin/stable_token";

    /// <summary>A token is dropped this long before WeChat says it expires, so no request carries one about to lapse.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(5);

    private const int InvalidToken = 40001;
    private const int ExpiredToken = 42001;
    private const int NoSubscription = 43101;
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Token, DateTimeOffset RefreshAt)? _token;

    public async Task SendAsync(PushMessage message, CancellationToken ct)
    {
        var options = pushOptions.Value.WeChat;
        if (options.TemplateFor(message.Key) is not { TemplateId: { Length: > 0 } templateId } template)
        {
            logger.LogDebug("Push {Key} to user {UserId} skipped: no WeChat template for the key", message.Key, message.UserId);
            return;
        }

        var user = await users.FindAsync(message.UserId, ct);
        if (string.IsNullOrEmpty(user?.WeChatOpenId))
        {
            logger.LogInformation("Push {Key} to user {UserId} skipped: no WeChat openid (not a WeChat login)", message.Key, message.UserId);
            return;
        }

        var body = new SubscribeMessage(
            user.WeChatOpenId,
            templateId,
            string.IsNullOrWhiteSpace(template.Page) ? null : template.Page.Replace("{orderId}", Uri.EscapeDataString(message.OrderId ?? ""), StringComparison.Ordinal),
            Data(template, message),
            options.MiniProgramState,
            options.Lang);

        var token = await TokenAsync(stale: null, ct);
        var answer = await PostAsync(token, body, ct);
        if (answer.ErrCode is InvalidToken or ExpiredToken)
        {
            logger.LogInformation("WeChat called the access token invalid or expired ({ErrCode}); refreshing once", answer.ErrCode);
            answer = await PostAsync(await TokenAsync(stale: token, ct), body, ct);
        }

        switch (answer.ErrCode)
        {
            case 0:
                logger.LogInformation("Push {Key} sent to user {UserId} as WeChat subscribe message ({MsgId})", message.Key, message.UserId, answer.MsgId);
                return;
            case NoSubscription:
                logger.LogInformation("Push {Key} to user {UserId} not delivered: no subscription for the template (43101)", message.Key, message.UserId);
                return;
            default:
                logger.LogWarning("Push {Key} to user {UserId} refused by WeChat: {ErrCode} {ErrMsg}", message.Key, message.UserId, answer.ErrCode, answer.ErrMsg);
                throw new WeChatPushException(answer.ErrCode, answer.ErrMsg);
        }
    }

    private Dictionary<string, DataValue> Data(WeChatPushTemplate template, PushMessage message)
    {
        var data = new Dictionary<string, DataValue>(StringComparer.Ordinal);
        foreach (var (field, source) in template.EffectiveFields)
        {
            var value = source.ToUpperInvariant() switch
            {
                "TITLE" => NotificationTexts.Title(message.Key, chinese: true),
                "ORDERID" => message.OrderId ?? "-",
                _ => time.GetUtcNow().ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            };
            data[field] = new DataValue(Fit(field, value));
        }

        return data;
    }

    /// <summary>WeChat refuses over-long values: thing.DATA ≤ 20 characters, character_string.DATA ≤ 32.</summary>
    private static string Fit(string field, string value)
    {
        var max = field.StartsWith("thing", StringComparison.Ordinal) ? 20
            : field.StartsWith("character_string", StringComparison.Ordinal) ? 32
            : int.MaxValue;
        return value.Length <= max ? value : value[..(max - 1)] + "…";
    }

    private async Task<WeChatAnswer> PostAsync(string token, SubscribeMessage body, CancellationToken ct)
    {
        using var response = await clients.CreateClient(HttpClientName)
            .PostAsJsonAsync($"{SendPath}?access_token={Uri.EscapeDataString(token)}", body, Json, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>The cached token, or a new one; <paramref name="stale"/> is a token WeChat just refused.</summary>
    private async Task<string> TokenAsync(string? stale, CancellationToken ct)
    {
        await _tokenLock.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (_token is { } cached && now < cached.RefreshAt && cached.Token != stale)
            {
                return cached.Token;
            }

            // Normal mode returns the current token (a concurrent refresh elsewhere may already have replaced a refused
            // one); only when that is the very token WeChat refused is a new one forced (those are limited per day).
            var fresh = await FetchTokenAsync(forceRefresh: false, ct);
            if (fresh.Token == stale)
            {
                fresh = await FetchTokenAsync(forceRefresh: true, ct);
            }

            _token = fresh;
            return fresh.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<(string Token, DateTimeOffset RefreshAt)> FetchTokenAsync(bool forceRefresh, CancellationToken ct)
    {
        var app = authOptions.Value.WeChat;
        using var response = await clients.CreateClient(HttpClientName).PostAsJsonAsync(StableTokenPath,
            new StableTokenRequest("client_credential", app.AppId!, app.AppSecret!, forceRefresh), Json, ct);
        var answer = await ReadAsync(response, ct);
        if (answer.ErrCode != 0 || string.IsNullOrEmpty(answer.AccessToken) || answer.ExpiresIn is not > 0)
        {
            logger.LogError("WeChat stable_token refused: {ErrCode} {ErrMsg}", answer.ErrCode, answer.ErrMsg);
            throw new WeChatPushException(answer.ErrCode, answer.ErrMsg ?? "no access_token");
        }

        var lifetime = TimeSpan.FromSeconds(answer.ExpiresIn.Value);
        var refreshAt = time.GetUtcNow() + (lifetime > ExpiryMargin * 2 ? lifetime - ExpiryMargin : lifetime / 2);
        logger.LogInformation("WeChat access token obtained (valid {Seconds} s, force refresh {Forced})", answer.ExpiresIn, forceRefresh);
        return (answer.AccessToken, refreshAt);
    }

    private static async Task<WeChatAnswer> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // WeChat answers 200 with errcode; anything else is a transport failure the queue retries.
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<WeChatAnswer>(Json, ct)
               ?? throw new JsonException("WeChat answered an empty body.");
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record SubscribeMessage(
        [property: JsonPropertyName("touser")] string ToUser,
        [property: JsonPropertyName("template_id")] string TemplateId,
        [property: JsonPropertyName("page")] string? Page,
        [property: JsonPropertyName("data")] Dictionary<string, DataValue> Data,
        [property: JsonPropertyName("miniprogram_state")] string MiniProgramState,
        [property: JsonPropertyName("lang")] string Lang);

    private sealed record DataValue([property: JsonPropertyName("value")] string Value);

    private sealed record StableTokenRequest(
        [property: JsonPropertyName("grant_type")] string GrantType,
        [property: JsonPropertyName("appid")] string AppId,
        [property: JsonPropertyName("secret")] string Secret,
        [property: JsonPropertyName("force_refresh")] bool ForceRefresh);

    private sealed record WeChatAnswer(
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string? ErrMsg,
        [property: JsonPropertyName("msgid")] long? MsgId,
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn);
}
