using System.Text.Json;
using HomeService.Functions.Auth;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Notifications;

public sealed class PushOptions
{
    public const string Section = "Notifications:Push";

    /// <summary>"Sandbox" (Development only; the default there), "WeChat" (subscribe messages) or "None" (the default elsewhere).</summary>
    public string? Provider { get; set; }

    public WeChatPushOptions WeChat { get; set; } = new();
}

/// <summary>
/// WeChat subscribe messages. AppId/AppSecret are those of <c>Auth:WeChat</c>: an openid belongs to one mini-program,
/// so only the app users logged in with can message them.
/// </summary>
public sealed class WeChatPushOptions
{
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com/";
    /// <summary>Which mini-program version a tap opens: formal | trial | developer.</summary>
    public string MiniProgramState { get; set; } = "formal";
    public string Lang { get; set; } = "zh_CN";

    /// <summary>
    /// Per notification key (e.g. <c>order.offered</c>); keys without a template are not pushed. App-setting names can't
    /// hold '-' on Linux, so a key may be written with '_' instead (<c>order.offer_expired</c>).
    /// </summary>
    public Dictionary<string, WeChatPushTemplate> Templates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static string NormalizeKey(string key) => key.Replace('-', '_').ToLowerInvariant();

    public WeChatPushTemplate? TemplateFor(string key)
    {
        var wanted = NormalizeKey(key);
        return Templates.FirstOrDefault(t => NormalizeKey(t.Key) == wanted).Value;
    }
}

/// <summary>One subscribe-message template: its id, the page a tap opens, and what fills each data field.</summary>
public sealed class WeChatPushTemplate
{
    public static readonly IReadOnlyDictionary<string, string> DefaultFields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["thing1"] = WeChatPushFields.Title,
        ["character_string2"] = WeChatPushFields.OrderId,
        ["time3"] = WeChatPushFields.Time,
    };

    public string? TemplateId { get; set; }
    /// <summary>Mini-program page with query; <c>{orderId}</c> is replaced. Empty: WeChat opens nothing on tap.</summary>
    public string? Page { get; set; }
    /// <summary>Template field (e.g. <c>thing1</c>) → source: title (zh-CN title), orderId, time (China time). Empty: <see cref="DefaultFields"/>.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> EffectiveFields => Fields.Count > 0 ? Fields : DefaultFields;
}

public static class WeChatPushFields
{
    public const string Title = "title";
    public const string OrderId = "orderId";
    public const string Time = "time";

    public static readonly IReadOnlyList<string> All = [Title, OrderId, Time];
}

/// <summary>
/// Puts pushes on their own queue (<see cref="PushFunction"/>): a failing channel is retried there (then poisoned)
/// without re-running the event handler that posted the message, and without holding up the reactions behind it.
/// </summary>
public sealed class PushOutbox(StorageClients storage)
{
    public Task EnqueueAsync(PushMessage message, CancellationToken ct) =>
        storage.Queue(PushFunction.QueueName).SendMessageAsync(JsonSerializer.Serialize(message, CosmosDb.JsonOptions), ct);
}

/// <summary>The push queue function: hands each message to the configured <see cref="IPushSender"/>; a throw retries it.</summary>
public sealed class PushFunction(IServiceProvider services)
{
    public const string Name = "SendPush";
    public const string QueueName = "push-messages";

    [Function(Name)]
    public async Task<string> RunAsync([QueueTrigger(QueueName)] QueueMessage queued, CancellationToken ct)
    {
        var message = JsonSerializer.Deserialize<PushMessage>(queued.Body.ToString(), CosmosDb.JsonOptions);
        if (message is null || string.IsNullOrWhiteSpace(message.UserId) || string.IsNullOrWhiteSpace(message.Key))
        {
            throw new InvalidDataException("A push message needs userId and key.");
        }

        // Optional: a deployment without a push provider registers none.
        if (services.GetService<IPushSender>() is not { } sender)
        {
            // Queued while a provider was configured; this deployment has none now.
            return $"Push {message.Key} dropped: no push provider configured";
        }

        await sender.SendAsync(message, ct);
        return $"Push {message.Key} sent to {message.UserId}";
    }
}

public static class PushSetup
{
    /// <summary>
    /// <c>Notifications:Push:Provider</c>: Sandbox (Development only, its default), WeChat (refuses to start half-configured)
    /// or None (the default elsewhere: the message center is the only channel).
    /// </summary>
    public static IServiceCollection AddHomeServicePush(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(PushOptions.Section);
        services.Configure<PushOptions>(section);
        var options = section.Get<PushOptions>() ?? new PushOptions();
        var provider = options.Provider is { Length: > 0 } configured ? configured : environment.IsDevelopment() ? "Sandbox" : "None";

        switch (provider.ToUpperInvariant())
        {
            case "SANDBOX":
                if (!environment.IsDevelopment())
                {
                    throw new InvalidOperationException("Notifications:Push:Provider=Sandbox is a local sandbox and is refused outside Development.");
                }

                services.AddSingleton<SandboxPushSender>();
                services.AddSingleton<IPushSender>(sp => sp.GetRequiredService<SandboxPushSender>());
                services.AddSingleton<PushOutbox>();
                break;
            case "WECHAT":
                var problems = Problems(options.WeChat, configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.WeChat ?? new WeChatLoginOptions());
                if (problems.Count > 0)
                {
                    throw new InvalidOperationException("Notifications:Push:Provider=WeChat is not fully configured: " + string.Join(" ", problems));
                }

                services.AddHttpClient(WeChatSubscribePushSender.HttpClientName, c =>
                {
                    c.BaseAddress = new Uri(options.WeChat.BaseUrl);
                    c.Timeout = TimeSpan.FromSeconds(10);
                });
                services.AddSingleton<WeChatSubscribePushSender>();
                services.AddSingleton<IPushSender>(sp => sp.GetRequiredService<WeChatSubscribePushSender>());
                services.AddSingleton<PushOutbox>();
                break;
            case "NONE":
                break;
            default:
                throw new InvalidOperationException($"Unknown Notifications:Push:Provider '{provider}' (WeChat | Sandbox | None).");
        }

        return services;
    }

    private static List<string> Problems(WeChatPushOptions push, WeChatLoginOptions app)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(app.AppId) || string.IsNullOrWhiteSpace(app.AppSecret))
        {
            problems.Add("Auth:WeChat:AppId and Auth:WeChat:AppSecret are required (the mini-program users log in with).");
        }

        if (!Uri.TryCreate(push.BaseUrl, UriKind.Absolute, out _))
        {
            problems.Add("Notifications:Push:WeChat:BaseUrl is not an absolute URL.");
        }

        if (push.Templates.Count == 0)
        {
            problems.Add("Notifications:Push:WeChat:Templates needs at least one {key}:TemplateId.");
        }

        foreach (var (key, template) in push.Templates)
        {
            if (!NotificationTexts.Keys.Any(k => WeChatPushOptions.NormalizeKey(k) == WeChatPushOptions.NormalizeKey(key)))
            {
                problems.Add($"Notifications:Push:WeChat:Templates:{key} is not a notification key.");
            }

            if (string.IsNullOrWhiteSpace(template.TemplateId))
            {
                problems.Add($"Notifications:Push:WeChat:Templates:{key}:TemplateId is missing.");
            }

            foreach (var (field, source) in template.EffectiveFields)
            {
                if (!WeChatPushFields.All.Contains(source, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"Notifications:Push:WeChat:Templates:{key}:Fields:{field} is '{source}' (title | orderId | time).");
                }
            }
        }

        return problems;
    }
}
