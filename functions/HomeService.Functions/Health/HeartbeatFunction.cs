using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Health;

public sealed record HeartbeatDocument(string Id, DateTimeOffset LastRunAt, string InvocationId, bool IsPastDue);

/// <summary>A timer that records its last run: proof that timers fire, shown by /api/health.</summary>
public sealed class HeartbeatFunction(CosmosDb db, TimeProvider time)
{
    public const string Name = "Heartbeat";
    public const string Schedule = "0 */5 * * * *";
    public const string DocumentId = "heartbeat";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, FunctionContext context, CancellationToken ct)
    {
        var document = new HeartbeatDocument(DocumentId, time.GetUtcNow(), context.InvocationId, timer.IsPastDue);
        await db.System.UpsertItemAsync(document, new PartitionKey(DocumentId), cancellationToken: ct);
        return $"Heartbeat recorded at {document.LastRunAt:O}";
    }
}
