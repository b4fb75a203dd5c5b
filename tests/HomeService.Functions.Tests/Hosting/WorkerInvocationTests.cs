using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using HomeService.Functions.Customers;
using HomeService.Functions.Health;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// No Functions host runs here, so the functions are called as the isolated worker calls them: the function class made
/// from the invocation's services, the HTTP function with a real <see cref="HttpContext"/> (the worker's ASP.NET Core
/// integration hands it the request's), a Moq'd <see cref="FunctionContext"/>. Each answer must equal the local host's.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WorkerInvocationTests(ApiFactory factory)
{
    private sealed record Answer(int Status, string? ContentType, JsonNode? Body, string? Location);

    public static TheoryData<string, string, string?, bool> Requests => new()
    {
        { "GET", "/api/catalog/cities", null, false },                                  // anonymous GET
        { "POST", "/api/customer/addresses", ValidAddress, true },                       // authenticated POST with a body
        { "POST", "/api/customer/addresses", """{"contactName":"","latitude":91}""", true }, // ProblemDetails 400 with field errors
        { "GET", "/api/customer/addresses/no-such-address", null, true },                // 404
        { "GET", "/api/no/such/route", null, false },                                    // ProblemDetails 404 of the endpoint table
        { "GET", "/api/customer/addresses", null, false },                               // 401 without a token
    };

    private const string ValidAddress =
        """{"contactName":"王女士","contactPhone":"13812345678","cityId":"shanghai","district":"静安区","detail":"南京西路 1 号","latitude":31.2304,"longitude":121.4737}""";

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_http_function_called_as_the_worker_calls_it_answers_as_the_local_host(string method, string path, string? body, bool signedIn)
    {
        var customer = await factory.NewCustomerAsync();
        var token = signedIn ? customer.DefaultRequestHeaders.Authorization!.Parameter : null;

        var local = await ThroughLocalHostAsync(method, path, body, token);
        var worker = await ThroughFunctionAsync(method, path, body, token);

        Assert.Equal(local.Status, worker.Status);
        Assert.Equal(local.ContentType, worker.ContentType);
        Assert.Equal(local.Location is null, worker.Location is null);
        Assert.True(JsonNode.DeepEquals(Normalized(local.Body), Normalized(worker.Body)),
            $"local host: {local.Body?.ToJsonString()}\nfunction:   {worker.Body?.ToJsonString()}");
    }

    [Fact]
    public async Task The_heartbeat_timer_function_records_its_invocation_and_health_shows_it()
    {
        var context = WorkerContext(out var invocationId);
        await using var scope = factory.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<HeartbeatFunction>(scope.ServiceProvider);

        var direct = await function.RunAsync(new TimerInfo { IsPastDue = true }, context.Object, CancellationToken.None);

        var db = factory.Services.GetRequiredService<CosmosDb>();
        var recorded = (await db.System.ReadOrNullAsync<HeartbeatDocument>(HeartbeatFunction.DocumentId, HeartbeatFunction.DocumentId, CancellationToken.None))!.Resource;
        Assert.Equal(invocationId, recorded.InvocationId);
        Assert.True(recorded.IsPastDue);
        Assert.StartsWith("Heartbeat recorded at ", direct);
        var health = await (await factory.CreateClient().GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal(recorded.LastRunAt, health.GetProperty("heartbeat").GetProperty("lastRunAt").GetDateTimeOffset());

        // The local host's run of the same function: the same account of the run, its own invocation id recorded.
        var local = await factory.InvokeTimerAsync(HeartbeatFunction.Name, DateTimeOffset.UtcNow);
        Assert.StartsWith("Heartbeat recorded at ", Assert.Single(local.Logs));
        var after = (await db.System.ReadOrNullAsync<HeartbeatDocument>(HeartbeatFunction.DocumentId, HeartbeatFunction.DocumentId, CancellationToken.None))!.Resource;
        Assert.Equal(local.InvocationId, after.InvocationId);
        Assert.False(after.IsPastDue);
    }

    [Fact]
    public async Task The_browsing_history_queue_function_delivered_twice_records_once_and_a_bad_message_fails_the_invocation()
    {
        var userId = Guid.NewGuid().ToString("N");
        var text = JsonSerializer.Serialize(new { userId, itemId = "item-1", viewedAt = "2026-11-23T10:00:00+00:00" });
        var message = QueuesModelFactory.QueueMessage("3a1f3b7e", "AgAAAAMAAAAAAAAA", BinaryData.FromString(text), dequeueCount: 1);
        await using var scope = factory.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<BrowsingHistory>(scope.ServiceProvider);

        await function.RunAsync(message, CancellationToken.None);
        await function.RunAsync(message, CancellationToken.None);
        var local = await factory.Functions.InvokeQueueAsync(BrowsingHistory.Name, message, maxDequeueCount: 5, CancellationToken.None);

        Assert.True(local.Succeeded);
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var entries = await db.Profiles.QueryAllAsync<JsonElement>(
            new QueryDefinition("SELECT * FROM c WHERE c.userId = @u").WithParameter("@u", userId), userId, CancellationToken.None);
        Assert.Equal("item-1", Assert.Single(entries).GetProperty("itemId").GetString());

        // A message the function cannot read throws: the host counts a failed delivery, retries, then poisons it.
        var broken = QueuesModelFactory.QueueMessage("b", "p", BinaryData.FromString("not json at all"), dequeueCount: 1);
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => function.RunAsync(broken, CancellationToken.None));
        var failed = await factory.Functions.InvokeQueueAsync(BrowsingHistory.Name, broken, maxDequeueCount: 5, CancellationToken.None);
        Assert.False(failed.Succeeded);
        Assert.Equal(thrown.GetType(), failed.Error!.GetType());
    }

    private async Task<Answer> ThroughLocalHostAsync(string method, string path, string? body, string? token)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, Parse(text), response.Headers.Location?.ToString());
    }

    private async Task<Answer> ThroughFunctionAsync(string method, string path, string? body, string? token)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var uri = new Uri("http://localhost" + path);
        http.Request.Method = method;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.Path = uri.AbsolutePath;
        http.Request.QueryString = new QueryString(uri.Query);
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentType = "application/json; charset=utf-8";
            http.Request.ContentLength = bytes.Length;
        }

        // What a server's request feature says for a request with a body (Kestrel sets it; DefaultHttpContext has none).
        http.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body is not null));
        if (token is not null)
        {
            http.Request.Headers.Authorization = "Bearer " + token;
        }

        var responseBody = new MemoryStream();
        http.Response.Body = responseBody;
        var context = WorkerContext(out _);
        context.SetupGet(c => c.InstanceServices).Returns(scope.ServiceProvider);
        var function = ActivatorUtilities.CreateInstance<ApiFunction>(scope.ServiceProvider);

        var result = await function.RunAsync(http.Request, factory.Orchestrations.Client, context.Object);
        // What the worker's HTTP proxying middleware does with an IResult.
        await result.ExecuteAsync(http);

        var text = Encoding.UTF8.GetString(responseBody.ToArray());
        var contentType = http.Response.ContentType is { } ct ? MediaTypeHeaderValue.Parse(ct).MediaType : null;
        return new Answer(http.Response.StatusCode, contentType, Parse(text), http.Response.Headers.Location.FirstOrDefault());
    }

    private static Mock<FunctionContext> WorkerContext(out string invocationId)
    {
        var id = Guid.NewGuid().ToString();
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InvocationId).Returns(id);
        context.SetupGet(c => c.FunctionId).Returns("test");
        invocationId = id;
        return context;
    }

    private static JsonNode? Parse(string text) => text.Length == 0 ? null : JsonNode.Parse(text);

    /// <summary>The answer without what differs per request by design: created ids, timestamps, trace ids.</summary>
    private static JsonNode? Normalized(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key is not ("id" or "traceId" or "createdAt" or "updatedAt" or "etag"))
                    {
                        copy[key] = Normalized(value);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(Normalized)]);
            default:
                return node?.DeepClone();
        }
    }

    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => canHaveBody;
    }
}
