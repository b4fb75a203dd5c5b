namespace HomeService.Functions.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Base64 HMAC-SHA256 key (≥ 32 bytes). Key Vault in Azure; generated per process in Development when empty.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Development only, when <see cref="SigningKey"/> is empty: the key is kept in this file (created on first start,
    /// owner-only), so tokens outlive a restart of the local host. run.sh points it at .local/ (git-ignored).
    /// </summary>
    public string? SigningKeyFile { get; set; }

    public string Issuer { get; set; } = "homeservice";
    public string Audience { get; set; } = "homeservice-api";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Phones (any common notation) that receive the admin role on login: how the first admin exists.</summary>
    public List<string> BootstrapAdminPhones { get; set; } = [];

    /// <summary>Login requests per client address per minute.</summary>
    public int RequestsPerMinutePerClient { get; set; } = 60;

    public SmsLoginOptions Sms { get; set; } = new();
    public WeChatLoginOptions WeChat { get; set; } = new();
}

public sealed class SmsLoginOptions
{
    /// <summary>
    /// "TencentCloud" (Tencent Cloud SMS, options under <see cref="TencentCloud"/>), "Sandbox" (Development only: codes are
    /// kept in memory and readable there) or "None" (phone login off: 503 sms_unavailable).
    /// </summary>
    public string Provider { get; set; } = "None";
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(60);
    public int MaxSendsPerHour { get; set; } = 5;
    public int MaxVerifyAttempts { get; set; } = 5;
    public TencentCloudSmsOptions TencentCloud { get; set; } = new();
}

public sealed class WeChatLoginOptions
{
    /// <summary>"WeChat" (code2session against the WeChat API) or "Sandbox" (Development only: accepts test codes).</summary>
    public string Provider { get; set; } = "WeChat";
    public string? AppId { get; set; }
    public string? AppSecret { get; set; }
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com/";
}
