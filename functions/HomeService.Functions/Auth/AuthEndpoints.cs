using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Auth;

public sealed record SendSmsCodeRequest(string Phone);
public sealed record SmsLoginRequest(string Phone, string Code);
public sealed record WeChatLoginRequest(string Code);
public sealed record SmsCodeSent(int ResendAfterSeconds);
public sealed record SandboxSmsCode(string Phone, string Code);

public static class AuthEndpoints
{
    public const string RateLimitPolicy = "auth";

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder routes, IHostEnvironment environment, AuthOptions options)
    {
        var auth = routes.MapGroup("/api/auth").WithTags("Auth").RequireRateLimiting(RateLimitPolicy);

        auth.MapPost("/sms/send", async Task<Accepted<SmsCodeSent>> (SendSmsCodeRequest request, SmsLogin sms, CancellationToken ct) =>
        {
            var phone = NormalizePhone(request.Phone);
            await sms.SendCodeAsync(phone, ct);
            return TypedResults.Accepted((string?)null, new SmsCodeSent((int)options.Sms.ResendInterval.TotalSeconds));
        }).WithSummary("Send a login code by SMS");

        auth.MapPost("/sms/login", async Task<Ok<TokenResponse>> (SmsLoginRequest request, SmsLogin sms, UserAccounts users, TokenService tokens, CancellationToken ct) =>
        {
            var v = new Validator();
            v.Phone("phone", request.Phone);
            v.Check(request.Code is { Length: 6 } && request.Code.All(char.IsAsciiDigit), "code", "code_invalid");
            v.ThrowIfInvalid();
            PhoneNumber.TryNormalize(request.Phone, out var phone);
            await sms.VerifyAsync(phone, request.Code, ct);
            var user = await users.LoginByPhoneAsync(phone, ct);
            return TypedResults.Ok(tokens.Issue(user));
        }).WithSummary("Log in with phone + SMS code");

        auth.MapPost("/wechat/login", async Task<Ok<TokenResponse>> (WeChatLoginRequest request, IWeChatLogin wechat, UserAccounts users, TokenService tokens, CancellationToken ct) =>
        {
            new Validator().Required("code", request.Code, 128).ThrowIfInvalid();
            var session = await wechat.Code2SessionAsync(request.Code, ct)
                          ?? throw ValidationFailedException.For("code", "wechat_code_invalid");
            var user = await users.LoginByWeChatAsync(session.OpenId, ct);
            return TypedResults.Ok(tokens.Issue(user));
        }).WithSummary("Log in with a WeChat mini-program code (wx.login)");

        auth.MapPost("/refresh", async Task<Ok<TokenResponse>> (HttpContext http, UserAccounts users, TokenService tokens, CancellationToken ct) =>
        {
            // Roles change (e.g. registering as a worker); a fresh token carries the current ones.
            var user = await users.FindAsync(http.User.UserId(), ct) ?? throw new UnauthorizedException();
            return TypedResults.Ok(tokens.Issue(user));
        }).RequireAuthorization().WithSummary("Re-issue a token with the user's current roles");

        if (environment.IsDevelopment() && string.Equals(options.Sms.Provider, "Sandbox", StringComparison.OrdinalIgnoreCase))
        {
            routes.MapGet("/api/dev/sms/{phone}", Results<Ok<SandboxSmsCode>, NotFound> (string phone, SandboxSmsSender sandbox) =>
            {
                var normalized = NormalizePhone(phone);
                var code = sandbox.LastCodeFor(normalized);
                return code is null ? TypedResults.NotFound() : TypedResults.Ok(new SandboxSmsCode(normalized, code));
            }).RequireLoopback().WithTags("Development").WithSummary("Sandbox only, from this machine only: the last login code sent to a phone");
        }

        return routes;
    }

    private static string NormalizePhone(string? raw)
    {
        new Validator().Phone("phone", raw).ThrowIfInvalid();
        PhoneNumber.TryNormalize(raw, out var phone);
        return phone;
    }
}
