using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;

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
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
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
