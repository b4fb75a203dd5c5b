using System.Collections.Concurrent;
using System.Net.Http.Json;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.Sandbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Payments;

/// <summary>
/// The app in-process without emulators: payments touch neither Cosmos nor Storage, so their clients point at
/// addresses that are never called. Development + Payments:Provider=Sandbox unless told otherwise; a fake clock;
/// a <see cref="RecordingPaymentEvents"/> as the lifecycle's stand-in unless <c>withEvents</c> is false.
/// </summary>
public class PaymentsAppFactory(string environment = "Development", IReadOnlyDictionary<string, string?>? settings = null, bool withEvents = true)
    : WebApplicationFactory<LocalHost.Program>
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    public RecordingPaymentEvents Events { get; } = new();

    public WeChatPaySandbox Sandbox => Services.GetRequiredService<WeChatPaySandbox>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        var all = new Dictionary<string, string?>
        {
            ["Cosmos:Endpoint"] = "http://127.0.0.1:9/",
            ["Cosmos:Key"] = Convert.ToBase64String(new byte[64]),
            ["Cosmos:CreateIfNotExists"] = "false",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["LocalHost:RunTimers"] = "false",
            ["LocalHost:PollQueues"] = "false",
            ["LocalHost:Durable:Enabled"] = "false",
            ["Hosting:CreateQueues"] = "false",
            ["Seed:Demo"] = "false",
            ["Auth:Sms:Provider"] = "Sandbox",
            ["Auth:WeChat:Provider"] = "Sandbox",
            ["Payments:Provider"] = "Sandbox",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        foreach (var (key, value) in all) builder.UseSetting(key, value);

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, HomeService.Functions.Tests.Support.TestClientAddress>();
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            // Without emulators the real lifecycle cannot run: the recorder stands in for it, or nothing does.
            services.RemoveAll<IPaymentEvents>();
            if (withEvents) services.AddSingleton<IPaymentEvents>(Events);
        });
    }

    /// <summary>What a Production host requires besides the subject of a start-up test, so that test fails only on what it is about.</summary>
    public static IReadOnlyDictionary<string, string?> ProductionBasics { get; } = new Dictionary<string, string?>
    {
        ["Auth:Sms:Provider"] = "None",
        ["Auth:WeChat:Provider"] = "WeChat",
        ["Auth:WeChat:AppId"] = WeChatPayTestKit.AppId,
        ["Auth:WeChat:AppSecret"] = "secret-for-tests",
        ["Auth:SigningKey"] = Convert.ToBase64String(new byte[32]),
        ["Workers:IdNumberHashKey"] = Convert.ToBase64String(new byte[32]),
        ["Money:CardHashKey"] = Convert.ToBase64String(new byte[32]),
        ["Money:PayoutProvider"] = "None",
        // Outside Development integration events go to Service Bus; the client connects only at the first send.
        ["IntegrationEvents:ServiceBus:FullyQualifiedNamespace"] = "sb-homeservice-tests.servicebus.windows.net",
    };

    /// <summary><see cref="ProductionBasics"/> with <paramref name="settings"/> on top.</summary>
    public static Dictionary<string, string?> Production(params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?>(ProductionBasics);
        foreach (var (key, value) in settings) all[key] = value;
        return all;
    }

    /// <summary>
    /// Starts a host that must refuse to start and answers why. Outside Development it gets <see cref="ProductionBasics"/>
    /// under <paramref name="settings"/>; in Development only <paramref name="settings"/>.
    /// </summary>
    public static string StartupFailure(string environment, params (string Key, string? Value)[] settings) =>
        StartupFailure(environment, environment == "Development" ? settings.ToDictionary(s => s.Key, s => s.Value) : Production(settings));

    /// <summary>Starts a host with exactly <paramref name="settings"/> that must refuse to start, and answers why.</summary>
    public static string StartupFailure(string environment, IReadOnlyDictionary<string, string?> settings)
    {
        using var factory = new PaymentsAppFactory(environment, settings);
        return Assert.ThrowsAny<Exception>(() => factory.Server).ToString();
    }

    public const string PayerOpenId = "oSandboxPayer0000000000000";

    /// <summary>A client signed in as the WeChat user <see cref="StartPaymentAsync"/> makes the payer.</summary>
    public HttpClient PayerClient(string openId = PayerOpenId)
    {
        var user = new HomeService.Functions.Auth.UserDocument { Id = "u_" + openId, Roles = ["customer"], WeChatOpenId = openId, CreatedAt = Time.GetUtcNow() };
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", Services.GetRequiredService<HomeService.Functions.Auth.TokenService>().Issue(user).AccessToken);
        return client;
    }

    /// <summary>Starts a payment the way the order lifecycle will.</summary>
    public async Task<ClientPayParameters> StartPaymentAsync(string orderId, long amountFen)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentService>()
            .StartAsync(orderId, amountFen, "上门保洁 2小时", PayerOpenId, Time.GetUtcNow().AddMinutes(15), CancellationToken.None);
    }

    public async Task<RefundAccepted> RefundAsync(string orderId, string refundId, long refundFen, long totalFen)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentService>()
            .RefundAsync(orderId, refundId, refundFen, totalFen, "客户取消", CancellationToken.None);
    }

    /// <summary>POSTs a callback to the public notify endpoint exactly as WeChat Pay would.</summary>
    public async Task<(int Status, NotifyAnswer? Answer)> NotifyAsync(PaymentCallback callback)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PaymentEndpoints.NotifyPath)
        {
            Content = new StringContent(callback.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in callback.Headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await CreateClient().SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<NotifyAnswer>());
    }
}

/// <summary>Stands in for the order lifecycle: records every notification it is handed; can be told to fail.</summary>
public sealed class RecordingPaymentEvents : IPaymentEvents
{
    private readonly ConcurrentQueue<PaymentNotification> _received = new();

    public Exception? FailWith { get; set; }

    public IReadOnlyList<PaymentNotification> Received => _received.ToList();

    public IReadOnlyList<PaymentNotification> For(string orderId) => _received.Where(n => n.OrderId == orderId).ToList();

    public Task HandleAsync(PaymentNotification notification, CancellationToken cancellationToken)
    {
        if (FailWith is { } failure) return Task.FromException(failure);
        _received.Enqueue(notification);
        return Task.CompletedTask;
    }
}

public sealed class SandboxPaymentsFactory() : PaymentsAppFactory();
