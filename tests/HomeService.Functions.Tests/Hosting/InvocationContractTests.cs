using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>The exact envelopes the Functions host POSTs to a custom handler for timer and queue triggers.</summary>
[Collection(ApiCollection.Name)]
public sealed class InvocationContractTests(ApiFactory factory)
{
    private static StringContent Envelope(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Host_timer_envelope_runs_the_heartbeat_and_health_shows_its_last_run()
    {
        var client = factory.CreateClient();
        const string body = """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-23T10:00:00+00:00","Next":"2026-11-23T10:05:00+00:00","LastUpdated":"2026-11-23T10:00:00+00:00"},"IsPastDue":false}},
             "Metadata":{"sys":{"MethodName":"Heartbeat","UtcNow":"2026-11-23T10:05:00.0123456Z","RandGuid":"0f6ad7c6-7aa8-4d34-8b6c-6d1c0b0b0b0b"}}}
            """;
        var request = new HttpRequestMessage(HttpMethod.Post, "/Heartbeat") { Content = Envelope(body) };
        request.Headers.Add("X-Azure-Functions-InvocationId", "b8f1c1d2-0000-4000-8000-000000000001");

        var response = await client.SendAsync(request);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var answer = await response.ReadJsonAsync();
        Assert.Equal(JsonValueKind.Object, answer.GetProperty("Outputs").ValueKind);
        Assert.Contains("Heartbeat recorded", answer.GetProperty("Logs")[0].GetString());
        Assert.True(answer.TryGetProperty("ReturnValue", out _));

        var health = await (await client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, health.GetProperty("heartbeat").GetProperty("lastRunAt").ValueKind);
        foreach (var dependency in new[] { "cosmos", "blob", "queue" })
        {
            Assert.Equal("healthy", health.GetProperty("dependencies").GetProperty(dependency).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Host_queue_envelope_runs_the_queue_function_and_a_second_delivery_changes_nothing()
    {
        var client = factory.CreateClient();
        var userId = Guid.NewGuid().ToString("N");
        var message = JsonSerializer.Serialize(new { userId, itemId = "item-1", viewedAt = "2026-11-23T10:00:00+00:00" });
        // As the host sends it: the message text as a JSON string, plus the queue metadata.
        const string template = """
            {"Data":{"message":MESSAGE},
             "Metadata":{"DequeueCount":1,"Id":"3a1f3b7e-1c8e-4a53-9f7b-0b2d9d0f2a11","PopReceipt":"AgAAAAMAAAAAAAAA","InsertionTime":"2026-11-23T10:00:01+00:00","NextVisibleTime":"2026-11-23T10:00:31+00:00","ExpirationTime":"2026-11-30T10:00:01+00:00",
                         "sys":{"MethodName":"RecordBrowsingHistory","UtcNow":"2026-11-23T10:00:02Z","RandGuid":"6a0d1c10-5a7e-4bb8-9f0e-1c2d3e4f5a6b"}}}
            """;
        var body = template.Replace("MESSAGE", JsonSerializer.Serialize(message), StringComparison.Ordinal);

        var first = await client.PostAsync("/RecordBrowsingHistory", Envelope(body));
        var second = await client.PostAsync("/RecordBrowsingHistory", Envelope(body));

        await first.EnsureStatusAsync(HttpStatusCode.OK);
        await second.EnsureStatusAsync(HttpStatusCode.OK);
        var db = factory.Services.GetRequiredService<Infrastructure.Cosmos.CosmosDb>();
        var entries = await Infrastructure.Cosmos.CosmosExtensions.QueryAllAsync<JsonElement>(db.Profiles,
            new Microsoft.Azure.Cosmos.QueryDefinition("SELECT * FROM c WHERE c.userId = @u").WithParameter("@u", userId), userId, CancellationToken.None);
        var entry = Assert.Single(entries);
        Assert.Equal("item-1", entry.GetProperty("itemId").GetString());
    }

    [Fact]
    public async Task A_queue_message_the_function_cannot_process_fails_the_invocation_with_a_non_2xx_answer()
    {
        var client = factory.CreateClient();
        const string body = """{"Data":{"message":"not json at all"},"Metadata":{"DequeueCount":1}}""";

        var response = await client.PostAsync("/RecordBrowsingHistory", Envelope(body));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var answer = await response.ReadJsonAsync();
        Assert.Contains("RecordBrowsingHistory failed", answer.GetProperty("Logs")[0].GetString());
    }

    [Fact]
    public async Task Unknown_functions_and_the_http_function_cannot_be_invoked_as_triggers()
    {
        var client = factory.CreateClient();
        const string body = """{"Data":{},"Metadata":{}}""";

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/NoSuchFunction", Envelope(body))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api", Envelope(body))).StatusCode);
    }

    [Fact]
    public async Task An_envelope_without_data_is_rejected()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/Heartbeat", Envelope("""{"Metadata":{}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
