using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Workers;

/// <summary>
/// Hourly timer: rewrites worker documents stored before the geo index existed (no <c>geoCells</c>, <c>homeCell5</c> or
/// <c>homeCell6</c>), so every candidate query finds them by their cells instead of reading them on every call. The derived
/// fields are written by any write of the document; this one changes nothing else (If-Match, retried on a lost race).
/// Nothing to do costs one query.
/// </summary>
public sealed class WorkerGeoBackfill(CosmosDb db, WorkerStore workers, ILogger<WorkerGeoBackfill> logger)
{
    public const string Name = "BackfillWorkerGeoIndex";

    /// <summary>Every hour at minute 23 (NCRONTAB with seconds).</summary>
    public const string Schedule = "0 23 * * * *";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken ct)
    {
        var stale = await db.Workers.QueryAllByKeyAsync<WorkerDocument>(
            "*", "c.type = 'worker' AND IS_DEFINED(c.homeBase) AND (NOT IS_DEFINED(c.geoCells) OR NOT IS_DEFINED(c.homeCell5) OR NOT IS_DEFINED(c.homeCell6))",
            new Dictionary<string, object>(), "id", w => w.Id, ct);
        foreach (var worker in stale)
        {
            await workers.ChangeAsync(worker.Id, current => current, ct, touch: false);
        }

        if (stale.Count > 0)
        {
            logger.LogInformation("Wrote the geo index of {Count} worker documents stored before it existed", stale.Count);
        }

        return $"Backfilled the geo index of {stale.Count} workers";
    }
}
