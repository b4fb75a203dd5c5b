using HomeService.Functions.Payments.Sandbox;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Payments;

public static class PaymentsSetup
{
    public const string Section = "Payments";
    public const string WeChatPayProvider = "WeChatPay";
    public const string SandboxProvider = "Sandbox";

    /// <summary>
    /// <c>Payments:Provider</c>: <c>WeChatPay</c> (options under <c>Payments:WeChatPay</c>; refuses to start half-configured)
    /// or <c>Sandbox</c> (Development only). Unset means Sandbox in Development and WeChatPay elsewhere.
    /// </summary>
    public static IServiceCollection AddHomeServicePayments(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(Section);
        var provider = section["Provider"] is { Length: > 0 } configured
            ? configured
            : environment.IsDevelopment() ? SandboxProvider : WeChatPayProvider;

        services.AddSingleton<PaymentCallbacks>();
        services.AddTransient<PaymentService>();

        switch (provider.ToUpperInvariant())
        {
            case "WECHATPAY":
                var options = section.GetSection(WeChatPayOptions.SectionName).Get<WeChatPayOptions>() ?? new WeChatPayOptions();
                var errors = options.Validate();
                if (errors.Count > 0)
                {
                    throw new InvalidOperationException("Payments:Provider=WeChatPay is not fully configured: "
                        + string.Join(" ", errors.Select(e => $"{Section}:{e}")));
                }

                services.AddWeChatPay(section);
                break;
            case "SANDBOX":
                if (!environment.IsDevelopment())
                {
                    throw new InvalidOperationException("Payments:Provider=Sandbox is a local sandbox and is refused outside Development.");
                }

                // The real provider and client, with sandbox keys and an in-process WeChat Pay platform behind the HttpClient.
                services.AddSingleton(sp => new WeChatPaySandbox(
                    sp.GetRequiredService<TimeProvider>(), WeChatPaySandboxKeys.LoadOrCreate(section["Sandbox:KeyFile"])));
                services.AddWeChatPay(section);
                services.AddOptions<WeChatPayOptions>().Configure<WeChatPaySandbox>((o, sandbox) => sandbox.Configure(o));
                services.AddHttpClient<WeChatPayClient>()
                    .ConfigurePrimaryHttpMessageHandler(sp => new WeChatPaySandboxHandler(sp.GetRequiredService<WeChatPaySandbox>()));
                break;
            default:
                throw new InvalidOperationException($"Unknown Payments:Provider '{provider}' (WeChatPay | Sandbox).");
        }

        return services;
    }
}
