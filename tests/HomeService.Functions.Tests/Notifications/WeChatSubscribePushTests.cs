using System.Net;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Notifications;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Notifications;

/// <summary>The WeChat subscribe-message adapter against a fake api.weixin.qq.com; users are real accounts on the emulators.</summary>
[Collection(ApiCollection.Name)]
public sealed class WeChatSubscribePushTests(ApiFactory factory)
{
    private const string AppId = "wx8888888888888888";
    private const string AppSecret = "app-secret-for-tests";

    // 2026-03-01 09:05 in China.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 1, 5, 0, TimeSpan.Zero));
    private readonly ListLogger<WeChatSubscribePushSender> _log = new();
    private int _tokens;

    private static PushOptions Options() => new()
    {
        Provider = "WeChat",
        WeChat = new WeChatPushOptions
        {
            BaseUrl = "https://api.weixin.test/",
            MiniProgramState = "trial",
            Templates = new(StringComparer.OrdinalIgnoreCase)
            {
                ["order.offered"] = new WeChatPushTemplate { TemplateId = "TPL-OFFERED", Page = "pages/worker/order?id={orderId}" },
                // Written the way a Linux app setting has to (no '-'), with its own field map.
                ["order.offer_expired"] = new WeChatPushTemplate
                {
                    TemplateId = "TPL-EXPIRED",
                    Fields = new() { ["phrase1"] = "title", ["time4"] = "time" },
                },
            },
        },
    };

    /// <param name="sameTokenUnlessForced">Plays stable_token's normal mode handing back the current token until a forced refresh.</param>
    private (WeChatSubscribePushSender Sender, FakeHttpHandler WeChat) Create(Func<RecordedRequest, int, (HttpStatusCode, string)> send, bool sameTokenUnlessForced = false)
    {
        var sends = 0;
        var wechat = new FakeHttpHandler(r => r.Uri.AbsolutePath switch
        {
            "/cgi-bin/stable_token" => (HttpStatusCode.OK, $$"""{"access_token":"TOKEN-{{NextToken(r, sameTokenUnlessForced)}}","expires_in":7200}"""),
            "/cgi-bin/message/subscribe/send" => send(r, Interlocked.Increment(ref sends)),
            _ => (HttpStatusCode.NotFound, ""),
        });
        var auth = new AuthOptions { WeChat = new WeChatLoginOptions { AppId = AppId, AppSecret = AppSecret } };
        var sender = new WeChatSubscribePushSender(new BaseAddressFactory(wechat, "https://api.weixin.test/"),
            Microsoft.Extensions.Options.Options.Create(Options()), Microsoft.Extensions.Options.Options.Create(auth),
            factory.Services.GetRequiredService<UserAccounts>(), _time, _log);
        return (sender, wechat);
    }

    private int NextToken(RecordedRequest request, bool sameTokenUnlessForced) =>
        sameTokenUnlessForced && _tokens > 0 && !JsonDocument.Parse(request.Body).RootElement.GetProperty("force_refresh").GetBoolean()
            ? _tokens
            : Interlocked.Increment(ref _tokens);

    private static (HttpStatusCode, string) Answer(int errCode, string errMsg = "ok") =>
        (HttpStatusCode.OK, $$"""{"errcode":{{errCode}},"errmsg":"{{errMsg}}","msgid":123456}""");

    private async Task<string> WeChatUserAsync(string openId) =>
        (await factory.Services.GetRequiredService<UserAccounts>().LoginByWeChatAsync(openId, CancellationToken.None)).Id;

    private static string NewOpenId() => "oTest" + Guid.NewGuid().ToString("N")[..20];

    private static string Token(RecordedRequest request) =>
        System.Web.HttpUtility.ParseQueryString(request.Uri.Query)["access_token"] ?? "";

    [Fact]
    public async Task Sends_a_subscribe_message_to_the_users_openid_with_the_templates_fields()
    {
        var openId = NewOpenId();
        var userId = await WeChatUserAsync(openId);
        var (sender, wechat) = Create((_, _) => Answer(0));

        await sender.SendAsync(new PushMessage(userId, "order.offered", "ORD123"), CancellationToken.None);

        Assert.Equal(["/cgi-bin/stable_token", "/cgi-bin/message/subscribe/send"], wechat.Requests.Select(r => r.Uri.AbsolutePath).ToArray());
        using (var tokenRequest = JsonDocument.Parse(wechat.Requests[0].Body))
        {
            var t = tokenRequest.RootElement;
            Assert.Equal(("client_credential", AppId, AppSecret, false),
                (t.GetProperty("grant_type").GetString(), t.GetProperty("appid").GetString(), t.GetProperty("secret").GetString(), t.GetProperty("force_refresh").GetBoolean()));
        }

        var send = wechat.Requests[1];
        Assert.Equal(HttpMethod.Post, send.Method);
        Assert.Equal("TOKEN-1", Token(send));
        using var body = JsonDocument.Parse(send.Body);
        var root = body.RootElement;
        Assert.Equal((openId, "TPL-OFFERED", "pages/worker/order?id=ORD123", "trial", "zh_CN"),
            (root.GetProperty("touser").GetString(), root.GetProperty("template_id").GetString(), root.GetProperty("page").GetString(),
             root.GetProperty("miniprogram_state").GetString(), root.GetProperty("lang").GetString()));
        var data = root.GetProperty("data");
        Assert.Equal("您有新的派单，请及时接单", data.GetProperty("thing1").GetProperty("value").GetString());
        Assert.Equal("ORD123", data.GetProperty("character_string2").GetProperty("value").GetString());
        Assert.Equal("2026-03-01 09:05", data.GetProperty("time3").GetProperty("value").GetString());

        var logged = string.Join("\n", _log.Entries.Select(e => e.Message));
        Assert.DoesNotContain("TOKEN-1", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(AppSecret, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_written_with_underscores_finds_its_template_and_long_titles_are_cut_to_fit()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, _) => Answer(0));

        await sender.SendAsync(new PushMessage(userId, "order.offer-expired", "ORD9"), CancellationToken.None);

        using var body = JsonDocument.Parse(wechat.Requests[^1].Body);
        var root = body.RootElement;
        Assert.Equal("TPL-EXPIRED", root.GetProperty("template_id").GetString());
        Assert.False(root.TryGetProperty("page", out _));
        Assert.Equal(["phrase1", "time4"], root.GetProperty("data").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("派单已超时", root.GetProperty("data").GetProperty("phrase1").GetProperty("value").GetString());
    }

    [Fact]
    public async Task The_access_token_is_reused_until_shortly_before_it_expires()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, _) => Answer(0));
        var message = new PushMessage(userId, "order.offered", "ORD1");

        await sender.SendAsync(message, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(7200) - WeChatSubscribePushSender.ExpiryMargin - TimeSpan.FromSeconds(1));
        await sender.SendAsync(message, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        await sender.SendAsync(message, CancellationToken.None);

        Assert.Equal(2, wechat.Requests.Count(r => r.Uri.AbsolutePath == "/cgi-bin/stable_token"));
        Assert.Equal(["TOKEN-1", "TOKEN-1", "TOKEN-2"], wechat.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/send", StringComparison.Ordinal)).Select(Token).ToArray());
    }

    [Theory]
    [InlineData(40001)]
    [InlineData(42001)]
    public async Task A_refused_token_is_refreshed_once_and_the_message_sent_again(int errCode)
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, n) => n == 1 ? Answer(errCode, "invalid credential") : Answer(0));

        await sender.SendAsync(new PushMessage(userId, "order.offered", "ORD1"), CancellationToken.None);

        var sends = wechat.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/send", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["TOKEN-1", "TOKEN-2"], sends.Select(Token).ToArray());
    }

    [Fact]
    public async Task When_the_normal_refresh_hands_back_the_refused_token_a_forced_refresh_replaces_it()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, n) => n == 1 ? Answer(40001, "invalid credential") : Answer(0), sameTokenUnlessForced: true);

        await sender.SendAsync(new PushMessage(userId, "order.offered", "ORD1"), CancellationToken.None);

        var refreshes = wechat.Requests.Where(r => r.Uri.AbsolutePath == "/cgi-bin/stable_token")
            .Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("force_refresh").GetBoolean()).ToArray();
        Assert.Equal([false, false, true], refreshes);
        Assert.Equal(["TOKEN-1", "TOKEN-2"], wechat.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/send", StringComparison.Ordinal)).Select(Token).ToArray());
    }

    [Fact]
    public async Task A_token_refused_twice_fails_the_push_so_the_queue_retries_it()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, _) => Answer(40001, "invalid credential"));

        var failure = await Assert.ThrowsAsync<WeChatPushException>(() => sender.SendAsync(new PushMessage(userId, "order.offered", "ORD1"), CancellationToken.None));

        Assert.Equal(40001, failure.ErrCode);
        Assert.Equal(2, wechat.Requests.Count(r => r.Uri.AbsolutePath.EndsWith("/send", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task No_subscription_left_is_normal_and_not_retried()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, _) => Answer(43101, "user refuse to accept the msg"));

        await sender.SendAsync(new PushMessage(userId, "order.offered", "ORD1"), CancellationToken.None);

        Assert.Single(wechat.Requests, r => r.Uri.AbsolutePath.EndsWith("/send", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("43101", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_wechat_errors_fail_the_push()
    {
        var userId = await WeChatUserAsync(NewOpenId());
        var (sender, _) = Create((_, _) => Answer(40037, "invalid template_id"));

        var failure = await Assert.ThrowsAsync<WeChatPushException>(() => sender.SendAsync(new PushMessage(userId, "order.offered", "ORD1"), CancellationToken.None));

        Assert.Equal(40037, failure.ErrCode);
    }

    [Fact]
    public async Task Phone_only_users_admin_alerts_and_keys_without_a_template_are_skipped_without_calling_wechat()
    {
        var phoneUser = (await factory.Services.GetRequiredService<UserAccounts>()
            .LoginByPhoneAsync("+86139" + Random.Shared.Next(10_000_000, 99_999_999), CancellationToken.None)).Id;
        var wechatUser = await WeChatUserAsync(NewOpenId());
        var (sender, wechat) = Create((_, _) => Answer(0));

        await sender.SendAsync(new PushMessage(phoneUser, "order.offered", "ORD1"), CancellationToken.None);
        await sender.SendAsync(new PushMessage(Functions.Orders.OrderEventHandler.AdminInbox, "order.offered", "ORD1"), CancellationToken.None);
        await sender.SendAsync(new PushMessage(wechatUser, "order.paid", "ORD1"), CancellationToken.None);

        Assert.Empty(wechat.Requests);
        Assert.Contains(_log.Entries, e => e.Message.Contains($"user {phoneUser} skipped: no WeChat openid", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("no WeChat template", StringComparison.Ordinal));
    }

    /// <summary>Named clients as the app configures them: through the fake, with WeChat's base address.</summary>
    private sealed class BaseAddressFactory(HttpMessageHandler handler, string baseUrl) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { BaseAddress = new Uri(baseUrl) };
    }
}
