using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using HomeService.Functions.Auth;
using HomeService.Functions.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Http;

/// <summary>
/// "No 500 for any bad input", checked over the whole API rather than route by route: every endpoint is
/// called by a user holding every role (so requests get past authorization into binding and validation)
/// with unknown ids, malformed and mistyped bodies, junk query parameters and a junk If-Match. Each answer
/// must be below 500 and, when it is an error, a ProblemDetails document (except the WeChat Pay callback,
/// which answers in WeChat Pay's own {code, message} format).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class BadInputSweepTests(ApiFactory factory)
{
    private static readonly string[] Bodies =
    [
        "{",                                   // malformed
        "null",
        "[]",
        "\"text\"",
        "{}",                                  // every field missing
        """{"id":{"a":1},"name":[1],"cityId":7,"amountFen":"lots","start":"not-a-time","quantity":-1e308,"items":"x","latitude":"n"}""",
        """{"amountFen":9223372036854775807,"quantity":2147483648,"latitude":1e400,"start":"9999-12-31T23:59:59+14:00","pageSize":-5}""",
        "{\"name\":\"" + new string('长', 5000) + "\"}",
    ];

    private const string JunkQuery =
        "?pageSize=abc&status=bogus&from=notadate&to=2026-13-45&date=yesterday&continuationToken=%25%25not-a-token&" +
        "lat=999&lng=abc&latitude=-91&longitude=181&sort=nope&minPriceFen=-1&maxPriceFen=x&itemId=&workerId=%00&q=";

    [Fact]
    public async Task No_endpoint_answers_a_server_error_to_junk_ids_bodies_queries_or_if_match()
    {
        var client = await EveryRoleClientAsync();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/docs", StringComparison.Ordinal))
            .ToArray();
        Assert.True(endpoints.Length > 100, $"only {endpoints.Length} endpoints found");

        var failures = new List<string>();
        var calls = 0;
        foreach (var endpoint in endpoints)
        {
            var path = RouteParameter().Replace(endpoint.RoutePattern.RawText!, "zz-missing-1");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var requests = new List<Func<HttpRequestMessage>>
                {
                    () => new HttpRequestMessage(new HttpMethod(method), path),
                    () => new HttpRequestMessage(new HttpMethod(method), path + JunkQuery),
                };
                if (method is "POST" or "PUT" or "PATCH")
                {
                    requests.AddRange(Bodies.Select(body => (Func<HttpRequestMessage>)(() => new HttpRequestMessage(new HttpMethod(method), path)
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    })));
                }

                if (method is "PUT" or "PATCH" or "DELETE")
                {
                    requests.Add(() =>
                    {
                        var r = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                        r.Headers.TryAddWithoutValidation("If-Match", "\"not-an-etag\"");
                        return r;
                    });
                }

                foreach (var make in requests)
                {
                    using var request = make();
                    request.Headers.TryAddWithoutValidation("Idempotency-Key", "sweep-" + Guid.NewGuid().ToString("N"));
                    var what = $"{method} {request.RequestUri} {(request.Content is null ? "" : Shorten(await request.Content.ReadAsStringAsync()))}";
                    using var response = await client.SendAsync(request);
                    calls++;
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{(int)response.StatusCode} for {what}: {Shorten(await response.Content.ReadAsStringAsync())}");
                    }
                    else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json" &&
                             !endpoint.RoutePattern.RawText!.StartsWith("/api/payments/wechatpay/notify", StringComparison.Ordinal))
                    {
                        failures.Add($"{(int)response.StatusCode} without ProblemDetails for {what}");
                    }
                }
            }
        }

        Assert.True(calls > 800, $"only {calls} calls made");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<HttpClient> EveryRoleClientAsync()
    {
        var users = factory.Services.GetRequiredService<UserAccounts>();
        var user = await users.LoginByPhoneAsync("+8613900009999", CancellationToken.None);
        foreach (var role in Roles.All)
        {
            user = await users.GrantRoleAsync(user.Id, role, CancellationToken.None);
        }

        var client = factory.CreateClient();
        var token = factory.Services.GetRequiredService<TokenService>().Issue(user);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        // A registered worker, so the caller's own worker routes get past "not found" into validation.
        await (await client.PostAsync("/api/worker/registration", null)).EnsureStatusAsync(System.Net.HttpStatusCode.Created);
        return client;
    }

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
