using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// Calls every API endpoint with malformed and mistyped bodies, junk query parameters and a forged If-Match,
/// and collects every answer that is a server error or an error without a ProblemDetails document.
/// </summary>
public static partial class BadInputSweep
{
    private static readonly string[] Bodies =
    [
        "{",                                   // malformed
        "null",
        "[]",
        "\"text\"",
        "{}",                                  // every field missing
        """{"id":{"a":1},"name":[1],"cityId":7,"amountFen":"lots","start":"not-a-time","newStart":"x","quantity":-1e308,"items":"x","latitude":"n","reason":{"a":1},"photos":"p","workerId":[]}""",
        """{"amountFen":9223372036854775807,"quantity":2147483648,"latitude":1e400,"start":"9999-12-31T23:59:59+14:00","newStart":"0001-01-01T00:00:00Z","pageSize":-5}""",
        "{\"name\":\"" + new string('长', 5000) + "\",\"reason\":\"" + new string('长', 5000) + "\"}",
    ];

    private const string JunkQuery =
        "?pageSize=abc&status=bogus&from=notadate&to=2026-13-45&date=yesterday&continuationToken=%25%25not-a-token&" +
        "lat=999&lng=abc&latitude=-91&longitude=181&sort=nope&minPriceFen=-1&maxPriceFen=x&itemId=&workerId=%00&q=";

    /// <param name="clientFor">The caller for a route template (e.g. the owner of the resource it names).</param>
    /// <param name="valueFor">The value of a route parameter, by route template and parameter name.</param>
    /// <param name="junkBodies">Also send every malformed body (false: only the bare request, junk query and If-Match).</param>
    public static async Task<(int Calls, IReadOnlyList<string> Failures)> RunAsync(
        IServiceProvider services, Func<string, HttpClient> clientFor, Func<string, string, string> valueFor, bool junkBodies = true)
    {
        var endpoints = services.GetRequiredService<HomeService.Functions.Hosting.ApiPipeline>().Endpoints
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/docs", StringComparison.Ordinal))
            // Cancels and deletes last, so the other routes still find the resources alive.
            .OrderBy(e => e.RoutePattern.RawText!.EndsWith("/cancel", StringComparison.Ordinal) ||
                          e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("DELETE") == true)
            .ToArray();
        var failures = new List<string>();
        var calls = 0;
        foreach (var endpoint in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!;
            var path = RouteParameter().Replace(route, m => Uri.EscapeDataString(valueFor(route, m.Groups["name"].Value)));
            var client = clientFor(route);
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                foreach (var make in RequestsFor(method, path, junkBodies))
                {
                    using var request = make();
                    request.Headers.TryAddWithoutValidation("Idempotency-Key", "sweep-" + Guid.NewGuid().ToString("N"));
                    request.Headers.TryAddWithoutValidation("Accept-Language", "xx-YY;q=abc, *;q=2, zh-CN;q=0.5");
                    var what = $"{method} {request.RequestUri} {(request.Content is null ? "" : Shorten(await request.Content.ReadAsStringAsync()))}";
                    using var response = await client.SendAsync(request);
                    calls++;
                    var status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        failures.Add($"{status} for {what}: {Shorten(await response.Content.ReadAsStringAsync())}");
                    }
                    else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json" &&
                             // WeChat Pay's callback answers in WeChat Pay's own {code, message} format.
                             !route.StartsWith("/api/payments/wechatpay/notify", StringComparison.Ordinal))
                    {
                        failures.Add($"{status} without ProblemDetails for {what}");
                    }
                }
            }
        }

        return (calls, failures);
    }

    private static List<Func<HttpRequestMessage>> RequestsFor(string method, string path, bool junkBodies)
    {
        var requests = new List<Func<HttpRequestMessage>>
        {
            () => new HttpRequestMessage(new HttpMethod(method), path),
            () => new HttpRequestMessage(new HttpMethod(method), path + JunkQuery),
        };
        if (junkBodies && method is "POST" or "PUT" or "PATCH")
        {
            requests.AddRange(Bodies.Select(body => (Func<HttpRequestMessage>)(() => new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            })));
            requests.Add(() => new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "text/plain") });
            requests.Add(() => new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([0xFF, 0xFE, 0x00, 0x7B]) { Headers = { { "Content-Type", "application/json" } } } });
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

        return requests;
    }

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";

    [GeneratedRegex(@"\{(?<name>[^}:=?]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
