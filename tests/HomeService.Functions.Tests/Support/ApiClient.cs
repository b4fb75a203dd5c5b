using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Support;

/// <summary>Test helpers to act as a user over HTTP.</summary>
public static class ApiClient
{
    public static readonly JsonSerializerOptions Json = CosmosDb.JsonOptions;

    /// <summary>A new customer, logged in through the WeChat sandbox.</summary>
    public static async Task<HttpClient> NewCustomerAsync(this ApiFactory factory, string? name = null)
    {
        var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/wechat/login", new { code = $"test-{name ?? Guid.NewGuid().ToString("N")}" });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>(Json))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    /// <summary>The bootstrap admin, logged in by phone + the sandbox SMS code.</summary>
    public static async Task<HttpClient> AdminAsync(this ApiFactory factory) => await factory.PhoneLoginAsync(ApiFactory.AdminPhone);

    public static async Task<HttpClient> PhoneLoginAsync(this ApiFactory factory, string phone)
    {
        var client = factory.CreateClient();
        // SMS codes may only be re-sent after the resend interval: one login per phone per factory, reused.
        // Lazy: concurrent first logins must send one code, not race each other into the resend limit.
        var token = await factory.PhoneTokens.GetOrAdd(phone, p => new Lazy<Task<TokenResponse>>(() => factory.PhoneLoginTokenAsync(factory.CreateClient(), p))).Value;
        if (token.ExpiresAt <= factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddMinutes(5))
        {
            // A test moved the clock past the cached token's life: the next caller logs in again (and caches that).
            var stale = factory.PhoneTokens[phone];
            factory.PhoneTokens.TryUpdate(phone, new Lazy<Task<TokenResponse>>(() => factory.PhoneLoginTokenAsync(factory.CreateClient(), phone)), stale);
            token = await factory.PhoneTokens[phone].Value;
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    /// <summary>
    /// A fresh access token for the user this client is signed in as, issued at the app's (fake) time: for tests that move
    /// the clock further than a token lives.
    /// </summary>
    public static async Task SignInAgainAsync(this HttpClient client, ApiFactory factory)
    {
        var jwt = client.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("The client is not signed in.");
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var userId = JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.GetProperty("sub").GetString()!;
        var user = await factory.Services.GetRequiredService<UserAccounts>().FindAsync(userId, CancellationToken.None)
                   ?? throw new InvalidOperationException($"No user {userId}.");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.Services.GetRequiredService<TokenService>().Issue(user).AccessToken);
    }

    public static async Task<TokenResponse> PhoneLoginTokenAsync(this ApiFactory factory, HttpClient client, string phone)
    {
        // The resend interval is per phone; a phone used twice in one run waits for nobody: reuse its token instead.
        var send = await client.PostAsJsonAsync("/api/auth/sms/send", new { phone });
        await send.EnsureStatusAsync(HttpStatusCode.Accepted);
        Domain.Common.PhoneNumber.TryNormalize(phone, out var e164);
        var code = factory.Sms.LastCodeFor(e164)!;
        var login = await client.PostAsJsonAsync("/api/auth/sms/login", new { phone, code });
        await login.EnsureStatusAsync(HttpStatusCode.OK);
        return (await login.Content.ReadFromJsonAsync<TokenResponse>(Json))!;
    }

    public static async Task<HttpResponseMessage> EnsureStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new Xunit.Sdk.XunitException($"Expected {(int)expected} {expected} but got {(int)response.StatusCode} {response.StatusCode}: {body}");
        }

        return response;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Json);

    public static HttpRequestMessage WithIfMatch(this HttpRequestMessage request, string? etag)
    {
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        return request;
    }
}
