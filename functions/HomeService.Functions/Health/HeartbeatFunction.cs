using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Health;

public sealed record HeartbeatDocument(string Id, DateTimeOffset LastRunAt, string InvocationId, bool IsPastDue);

/// <summary>A timer that records its last run: proof that timers fire, shown by /api/health.</summary>
public static class HeartbeatFunction
{
    public const string DocumentId = "heartbeat";

    public static async Task<object?> RunAsync(FunctionInvocation invocation, CancellationToken ct)
    {
        var db = invocation.Services.GetRequiredService<CosmosDb>();
        var time = invocation.Services.GetRequiredService<TimeProvider>();
        var isPastDue = invocation.Data.ValueKind == JsonValueKind.Object &&
                        invocation.Data.TryGetProperty("IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True;
        var document = new HeartbeatDocument(DocumentId, time.GetUtcNow(), invocation.InvocationId, isPastDue);
        await db.System.UpsertItemAsync(document, new PartitionKey(DocumentId), cancellationToken: ct);
        invocation.Logs.Add($"Heartbeat recorded at {document.LastRunAt:O}");
        return null;
    }
}
