using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Health;

public sealed record DependencyHealth(string Status, long ElapsedMs, string? Error = null);

public sealed record HeartbeatHealth(DateTimeOffset? LastRunAt, bool IsPastDue);

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyHealth> Dependencies, HeartbeatHealth Heartbeat);

public static class HealthEndpoints
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/health", async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> (
            CosmosDb db, StorageClients storage, StartupReadiness readiness, TimeProvider time, CancellationToken ct) =>
        {
            if (!readiness.IsReady)
            {
                // Listening, but start-up is not finished (containers and queues, the local Durable engine): not able to serve.
                return TypedResults.Json(new HealthReport("starting", time.GetUtcNow(), new Dictionary<string, DependencyHealth>(),
                    new HeartbeatHealth(null, false)), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            HeartbeatDocument? heartbeat = null;
            var cosmos = Check(time, async token =>
            {
                heartbeat = (await db.System.ReadOrNullAsync<HeartbeatDocument>(HeartbeatFunction.DocumentId, HeartbeatFunction.DocumentId, token))?.Resource;
            }, ct);
            var blob = Check(time, token => storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).GetPropertiesAsync(cancellationToken: token), ct);
            var queue = Check(time, token => storage.Queue(Customers.BrowsingHistory.QueueName).GetPropertiesAsync(token), ct);
            await Task.WhenAll(cosmos, blob, queue);

            var dependencies = new Dictionary<string, DependencyHealth>
            {
                ["cosmos"] = await cosmos,
                ["blob"] = await blob,
                ["queue"] = await queue,
            };
            var healthy = dependencies.Values.All(d => d.Status == "healthy");
            var report = new HealthReport(healthy ? "healthy" : "unhealthy", time.GetUtcNow(), dependencies,
                new HeartbeatHealth(heartbeat?.LastRunAt, heartbeat?.IsPastDue ?? false));
            return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithTags("Health").WithSummary("Reachability of Cosmos, Blob and Queue storage, and the heartbeat's last run").AllowAnonymous();
        return routes;
    }

    private static async Task<DependencyHealth> Check(TimeProvider time, Func<CancellationToken, Task> probe, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await probe(timeout.Token);
            return new DependencyHealth("healthy", (long)time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new DependencyHealth("unhealthy", (long)time.GetElapsedTime(started).TotalMilliseconds, e.GetType().Name);
        }
    }
}
