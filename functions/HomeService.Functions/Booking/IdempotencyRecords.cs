using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Booking;

/// <summary>
/// One use of an Idempotency-Key for a recurring series, in `idempotency` (pk /id), id <c>{userId}:{key}</c>, expiring after a day.
/// <see cref="ResultId"/> is fixed when the record is created, so every run for the key works on the same series. (A single
/// booking needs no record: its order id comes from the key, <see cref="BookingService.OrderIdFor"/>.)
/// </summary>
public sealed record IdempotencyRecord
{
    public required string Id { get; init; }
    public required string Scope { get; init; }
    public required string RequestHash { get; init; }
    public required string ResultId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>A finished answer kept for replays, when it is not simply "read the order" (recurring series).</summary>
    public JsonElement? Result { get; init; }
    public int Ttl { get; init; } = (int)IdempotencyRecords.Lifetime.TotalSeconds;

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>
/// Create-if-absent on the record id makes a key's first run unique across processes: concurrent retries find the
/// record, wait for the first run's result and return it. A record whose run died (no result after
/// <see cref="StaleAfter"/>) is taken over by one retry (If-Match), which resumes with the same result id.
/// </summary>
public sealed class IdempotencyRecords(CosmosDb db, TimeProvider time, ILogger<IdempotencyRecords> logger)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan StaleAfter = Reservations.HoldDuration;

    /// <summary>How long a concurrent retry waits for the first run's result before answering 409 request_in_progress.</summary>
    internal TimeSpan WaitForWinner { get; set; } = TimeSpan.FromSeconds(10);

    public static string RequireKey(HttpRequest request)
    {
        var key = request.Headers[Header].ToString();
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ValidationFailedException([new FieldError(Header, "idempotency_key_required")]);
        }

        if (key.Length > 100)
        {
            throw ValidationFailedException.For(Header, "too_long", 100);
        }

        return key;
    }

    public static string Hash(string scope, object request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + JsonSerializer.Serialize(request, CosmosDb.JsonOptions))));

    /// <summary>
    /// Runs <paramref name="firstRun"/> once per key; replays get <paramref name="findResult"/>'s answer (Created = false).
    /// A first run refused before producing a result frees the key, so a retry runs again. <paramref name="firstRun"/> is
    /// told whether the record is fresh (created by this call, so nothing under its result id can exist yet) or resumed
    /// (taken over from a run that died, which may have written part of the result).
    /// </summary>
    public async Task<(T Result, bool Created)> RunAsync<T>(
        string userId, string key, string scope, string hash,
        Func<IdempotencyRecord, bool, Task<T>> firstRun, Func<IdempotencyRecord, Task<T?>> findResult, CancellationToken ct)
        where T : class
    {
        var id = $"{userId}:{key}";
        // Waiting for another request's I/O is measured in elapsed real time, not business time.
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var record = new IdempotencyRecord { Id = id, Scope = scope, RequestHash = hash, ResultId = NewId(scope), StartedAt = time.GetUtcNow() };
            try
            {
                record = (await db.Idempotency.CreateItemAsync(record, new PartitionKey(id), cancellationToken: ct)).Resource;
                return (await RunOwnedAsync(record, fresh: true, firstRun, findResult, ct), true);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
            }

            var existing = (await db.Idempotency.ReadOrNullAsync<IdempotencyRecord>(id, id, ct))?.Resource;
            if (existing is null)
            {
                continue; // the first run failed and freed the key: run again
            }

            if (existing.Scope != scope || existing.RequestHash != hash)
            {
                throw new IdempotencyKeyReusedException();
            }

            if (await findResult(existing) is { } done)
            {
                return (done, false);
            }

            if (time.GetUtcNow() - existing.StartedAt > StaleAfter)
            {
                var takeover = existing with { StartedAt = time.GetUtcNow(), ETag = null };
                try
                {
                    takeover = (await db.Idempotency.ReplaceItemAsync(takeover, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = existing.ETag }, ct)).Resource;
                    logger.LogWarning("Idempotency record {RecordId} was abandoned; resuming it", id);
                    return (await RunOwnedAsync(takeover, fresh: false, firstRun, findResult, ct), true);
                }
                catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
                {
                    continue;
                }
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(waitStarted) > WaitForWinner)
            {
                throw new ConflictException("request_in_progress");
            }

            // Waiting for another process's I/O, not business time: real delay on purpose.
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>Stores a finished answer on the record (for results that are not one document).</summary>
    public async Task SaveResultAsync(IdempotencyRecord record, object result, CancellationToken ct)
    {
        var element = JsonSerializer.SerializeToElement(result, CosmosDb.JsonOptions);
        await db.Idempotency.UpsertItemAsync(record with { Result = element, ETag = null }, new PartitionKey(record.Id), cancellationToken: ct);
    }

    private async Task<T> RunOwnedAsync<T>(
        IdempotencyRecord record, bool fresh, Func<IdempotencyRecord, bool, Task<T>> firstRun, Func<IdempotencyRecord, Task<T?>> findResult, CancellationToken ct)
        where T : class
    {
        try
        {
            return await firstRun(record, fresh);
        }
        catch (AppException)
        {
            // A refusal (validation, nobody free) left no order and no hold: free the key so a retry runs again.
            // Anything else may have left a hold; the record stays and a retry resumes it once stale, with the same id.
            if (await findResult(record) is null)
            {
                await TryDeleteAsync(record);
            }

            throw;
        }
    }

    private async Task TryDeleteAsync(IdempotencyRecord record)
    {
        try
        {
            await db.Idempotency.DeleteItemAsync<IdempotencyRecord>(record.Id, new PartitionKey(record.Id), new ItemRequestOptions { IfMatchEtag = record.ETag });
        }
        catch (CosmosException e)
        {
            logger.LogWarning(e, "Could not free idempotency record {RecordId}; it frees itself when stale", record.Id);
        }
    }

    private static string NewId(string scope) => $"{(scope == "series" ? "ser" : "ord")}_{Guid.NewGuid():N}";
}
