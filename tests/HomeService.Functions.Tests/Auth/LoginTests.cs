using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Auth;

/// <summary>The app on a fake clock, for code expiry and resend intervals.</summary>
public sealed class FakeClockFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

public sealed class LoginTests(FakeClockFactory factory) : IClassFixture<FakeClockFactory>
{
    private static string NewPhone() => "139" + Random.Shared.Next(10_000_000, 99_999_999);

    private async Task<string> SendCodeAsync(HttpClient client, string phone)
    {
        await (await client.PostAsJsonAsync("/api/auth/sms/send", new { phone })).EnsureStatusAsync(HttpStatusCode.Accepted);
        Domain.Common.PhoneNumber.TryNormalize(phone, out var e164);
        return factory.Sms.LastCodeFor(e164)!;
    }

    [Fact]
    public async Task A_phone_code_logs_in_once_and_never_again()
    {
        var client = factory.CreateClient();
        var phone = NewPhone();
        var code = await SendCodeAsync(client, phone);

        var first = await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code });
        var second = await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code });

        var token = await (await first.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<TokenResponse>();
        Assert.Equal(["customer"], token.Roles);
        await second.EnsureStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Concurrent_logins_with_one_code_yield_exactly_one_token()
    {
        var phone = NewPhone();
        var code = await SendCodeAsync(factory.CreateClient(), phone);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            factory.CreateClient().PostAsJsonAsync("/api/auth/sms/login", new { phone, code })));

        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(attempts.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Fact]
    public async Task An_expired_code_is_refused()
    {
        var client = factory.CreateClient();
        var phone = NewPhone();
        var code = await SendCodeAsync(client, phone);

        factory.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var response = await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code });

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("code_invalid", (await response.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty("code")[0].GetString());
    }

    [Fact]
    public async Task Resending_too_soon_is_rate_limited_with_retry_after()
    {
        var client = factory.CreateClient();
        var phone = NewPhone();
        await SendCodeAsync(client, phone);

        var again = await client.PostAsJsonAsync("/api/auth/sms/send", new { phone });

        await again.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(again.Headers.RetryAfter);
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await client.PostAsJsonAsync("/api/auth/sms/send", new { phone })).EnsureStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Too_many_wrong_codes_lock_the_code_even_for_the_right_one()
    {
        var client = factory.CreateClient();
        var phone = NewPhone();
        var code = await SendCodeAsync(client, phone);
        var wrong = code == "000000" ? "111111" : "000000";

        for (var i = 0; i < 5; i++)
        {
            await (await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code = wrong })).EnsureStatusAsync(HttpStatusCode.BadRequest);
        }

        var right = await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code });
        await right.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Wechat_sandbox_logs_in_the_same_user_for_the_same_code_and_rejects_unknown_codes()
    {
        var client = factory.CreateClient();
        var name = Guid.NewGuid().ToString("N");

        var first = await (await client.PostAsJsonAsync("/api/auth/wechat/login", new { code = $"test-{name}" })).ReadAsync<TokenResponse>();
        var second = await (await client.PostAsJsonAsync("/api/auth/wechat/login", new { code = $"test-{name}" })).ReadAsync<TokenResponse>();
        var rejected = await client.PostAsJsonAsync("/api/auth/wechat/login", new { code = "081abcDEF" });

        Assert.Equal(first.UserId, second.UserId);
        await rejected.EnsureStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Concurrent_first_logins_of_one_identity_create_one_user()
    {
        var code = $"test-{Guid.NewGuid():N}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            factory.CreateClient().PostAsJsonAsync("/api/auth/wechat/login", new { code })));

        var users = new HashSet<string>();
        foreach (var response in responses)
        {
            users.Add((await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<TokenResponse>()).UserId);
        }

        Assert.Single(users);
    }

    [Fact]
    public async Task The_configured_admin_phone_gets_the_admin_role_and_tokens_expire()
    {
        var client = factory.CreateClient();
        var code = await SendCodeAsync(client, ApiFactory.AdminPhone);
        var token = await (await client.PostAsJsonAsync("/api/auth/sms/login", new { phone = ApiFactory.AdminPhone, code })).ReadAsync<TokenResponse>();
        Assert.Contains("admin", token.Roles);

        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        await (await client.GetAsync($"/api/admin/users/{token.UserId}")).EnsureStatusAsync(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromHours(13));
        await (await client.GetAsync($"/api/admin/users/{token.UserId}")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var client = factory.CreateClient();
        const string forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIiwiaXNzIjoiaG9tZXNlcnZpY2UiLCJhdWQiOiJob21lc2VydmljZS1hcGkiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLW5vdC12YWxpZC1mb3ItdGhpcy1rZXk";
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);

        await (await client.GetAsync("/api/admin/users/x")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
