using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HomeService.Functions.Tests.Merchants;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Workers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Contract;

/// <summary>A host of its own: the contract run sends valid-looking writes as admin and must not change other tests' data.</summary>
public sealed class ContractFactory : ApiFactory;

/// <summary>
/// The served OpenAPI document against the server: every operation, as each identity (anonymous, customer, approved
/// worker, merchant owner, admin), with a request built from the document's own schemas and with invalid ones (no
/// body, malformed body, junk query, forged If-Match). Every answer's status must be documented for the operation
/// and its body must match the documented schema of that status and media type.
/// </summary>
public sealed partial class OpenApiContractTests(ContractFactory factory) : IClassFixture<ContractFactory>
{
    private const string JunkQuery = "pageSize=abc&status=bogus&from=notadate&to=2026-13-45&date=yesterday&continuationToken=%25%25x&lat=999&lng=abc&sort=nope";

    [Fact]
    public async Task Every_endpoint_of_the_pipeline_is_an_operation_of_the_document()
    {
        var document = await OpenApiContractDocument.LoadAsync(factory.CreateClient());
        var missing = factory.Services.GetRequiredService<HomeService.Functions.Hosting.ApiPipeline>().Endpoints
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/docs", StringComparison.Ordinal))
            // The document itself is not one of its operations.
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/openapi/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .Where(x => document.Operation(x.Method, OpenApiContractDocument.PathOf(x.Route)) is null)
            .Select(x => $"{x.Method} {x.Route}")
            .ToArray();

        Assert.True(missing.Length == 0, "Not in the document:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_operation_answers_every_identity_as_the_document_says()
    {
        var document = await OpenApiContractDocument.LoadAsync(factory.CreateClient());
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.SubmittedWorkerAsync();
        var admin = await factory.AdminAsync();
        await (await admin.DecideAsync("workers", worker.UserId, "approve")).EnsureStatusAsync(HttpStatusCode.OK);
        var (owner, merchantId) = await factory.ApprovedMerchantAsync("契约测试家政", cityId);
        var identities = new (string Name, HttpClient Client)[]
        {
            ("anonymous", factory.CreateClient()),
            ("customer", await factory.NewCustomerAsync()),
            ("worker", worker.Client),
            ("merchant", owner.Client),
            ("admin", admin),
        };
        var known = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cityId"] = cityId, ["itemId"] = itemId, ["workerId"] = worker.UserId, ["merchantId"] = merchantId, ["documentName"] = "v1",
        };

        var mismatches = new List<string>();
        var calls = 0;
        // Deletes and cancels last, so the other operations still find the resources alive.
        var operations = document.Operations()
            .OrderBy(o => o.Method == "DELETE" || o.Path.EndsWith("/cancel", StringComparison.Ordinal))
            .ToArray();
        Assert.True(operations.Length > 150, $"only {operations.Length} operations");
        foreach (var (name, client) in identities)
        {
            foreach (var (method, path, operation) in operations)
            {
                var url = PathParameter().Replace(path, m => Uri.EscapeDataString(known.GetValueOrDefault(m.Groups[1].Value, "zz-missing")));
                foreach (var request in Requests(document, method, url, operation))
                {
                    using (request)
                    {
                        request.Headers.TryAddWithoutValidation("Idempotency-Key", "contract-" + Guid.NewGuid().ToString("N"));
                        var what = $"{name} {method} {request.RequestUri}{(request.Content is null ? "" : " " + Shorten(await request.Content.ReadAsStringAsync()))}";
                        using var response = await client.SendAsync(request);
                        calls++;
                        var body = await response.Content.ReadAsStringAsync();
                        foreach (var problem in document.Check(operation, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body))
                        {
                            mismatches.Add($"{what} → {(int)response.StatusCode}: {problem} [{Shorten(body)}]");
                        }
                    }
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {calls} answers differ from the document:\n" + string.Join("\n", mismatches.Take(150)));
        Assert.True(calls > 2500, $"only {calls} calls");
    }

    private static IEnumerable<HttpRequestMessage> Requests(OpenApiContractDocument document, string method, string url, JsonObject operation)
    {
        var http = new HttpMethod(method);
        var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        var query = document.SampleQuery(operation);
        var target = url + (query.Length > 0 ? "?" + query : "");

        // Built from the document: required query parameters and a body of every property, typed as documented.
        var valid = new HttpRequestMessage(http, target);
        if (bodySchema is not null)
        {
            valid.Content = JsonContent.Create(document.Sample(bodySchema, 0));
        }

        yield return valid;
        yield return new HttpRequestMessage(http, url + "?" + JunkQuery);
        if (bodySchema is not null)
        {
            yield return new HttpRequestMessage(http, target) { Content = new StringContent("{", Encoding.UTF8, "application/json") };
            yield return new HttpRequestMessage(http, target) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            yield return new HttpRequestMessage(http, target) { Content = new StringContent("x=1", Encoding.UTF8, "text/plain") };
        }

        if (method is "PUT" or "DELETE" or "POST" or "PATCH")
        {
            var forged = new HttpRequestMessage(http, target);
            forged.Headers.TryAddWithoutValidation("If-Match", "\"not-an-etag\"");
            if (bodySchema is not null)
            {
                forged.Content = JsonContent.Create(document.Sample(bodySchema, 0));
            }

            yield return forged;
        }
    }

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..160] + "…";

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex PathParameter();
}
