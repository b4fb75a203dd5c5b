using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Auth;

public static class AuthSetup
{
    public static IServiceCollection AddHomeServiceAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(AuthOptions.Section);
        services.Configure<AuthOptions>(section);
        var options = section.Get<AuthOptions>() ?? new AuthOptions();

        services.AddSingleton<TokenService>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<SmsLogin>();

        // Sandboxes are Development-only; elsewhere a half-configured provider refuses to start.
        switch (options.Sms.Provider.ToUpperInvariant())
        {
            case "SANDBOX":
                RequireDevelopment(environment, "Auth:Sms:Provider=Sandbox");
                services.AddSingleton<SandboxSmsSender>();
                services.AddSingleton<ISmsSender>(sp => sp.GetRequiredService<SandboxSmsSender>());
                break;
            case "TENCENTCLOUD":
                var missing = options.Sms.TencentCloud.Missing();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException("Auth:Sms:Provider=TencentCloud is not fully configured: " + string.Join(", ", missing));
                }

                services.AddHttpClient(TencentCloudSmsSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
                services.AddSingleton<ISmsSender, TencentCloudSmsSender>();
                break;
            case "NONE":
                // No gateway registered: SmsLogin answers 503 sms_unavailable.
                break;
            default:
                throw new InvalidOperationException($"Unknown Auth:Sms:Provider '{options.Sms.Provider}' (TencentCloud | Sandbox | None).");
        }

        switch (options.WeChat.Provider.ToUpperInvariant())
        {
            case "SANDBOX":
                RequireDevelopment(environment, "Auth:WeChat:Provider=Sandbox");
                services.AddSingleton<IWeChatLogin, SandboxWeChatLogin>();
                break;
            case "WECHAT":
                if (string.IsNullOrWhiteSpace(options.WeChat.AppId) || string.IsNullOrWhiteSpace(options.WeChat.AppSecret))
                {
                    throw new InvalidOperationException("Auth:WeChat:AppId and Auth:WeChat:AppSecret are required for the WeChat login provider.");
                }

                services.AddHttpClient<IWeChatLogin, WeChatApiLogin>(c =>
                {
                    c.BaseAddress = new Uri(options.WeChat.BaseUrl);
                    c.Timeout = TimeSpan.FromSeconds(10);
                });
                break;
            default:
                throw new InvalidOperationException($"Unknown Auth:WeChat:Provider '{options.WeChat.Provider}' (WeChat | Sandbox).");
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, TimeProvider>((jwt, tokens, time) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = tokens.ValidationParameters;
                jwt.TimeProvider = time;
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Customer, p => p.RequireRole(Roles.Customer))
            .AddPolicy(Roles.Worker, p => p.RequireRole(Roles.Worker))
            .AddPolicy(Roles.Merchant, p => p.RequireRole(Roles.Merchant))
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client address: slows down code guessing and SMS bombing across many phones.
            limiter.AddPolicy(AuthEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RequestsPerMinutePerClient, Window = TimeSpan.FromMinutes(1) }));
        });

        return services;
    }

    private static void RequireDevelopment(IHostEnvironment environment, string setting)
    {
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException($"{setting} is a local sandbox and is refused outside Development.");
        }
    }
}
