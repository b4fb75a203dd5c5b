using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;
using HomeService.Functions.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

/// <summary>Where a withdrawal is paid to.</summary>
public enum PayoutDestination { BankCard, WeChatBalance }

/// <summary>The payee of a payout, copied onto the withdrawal at request time.</summary>
public abstract record Payee
{
    [JsonIgnore]
    public abstract PayoutDestination Destination { get; }
}

/// <summary>A WeChat user's balance (零钱), named by their openid under the platform's mini-program AppID.</summary>
public sealed record PayeeWeChatBalance(string OpenId) : Payee
{
    [JsonIgnore]
    public override PayoutDestination Destination => PayoutDestination.WeChatBalance;
}

/// <summary>What the payout provider is asked to pay. <see cref="IdempotencyKey"/> = withdrawal id + attempt: the provider pays one key at most once.</summary>
public sealed record PayoutOrder(string IdempotencyKey, string WithdrawalId, int Attempt, long AmountFen, string OwnerKey, Payee Payee);

public abstract record PayoutResult;
public sealed record PayoutSucceededResult(string ProviderReference) : PayoutResult;
public sealed record PayoutFailedResult(string Reason, bool Retryable) : PayoutResult;

/// <summary>
/// The provider accepted the payout but has not finished it, e.g. WeChat Pay waits for the payee to confirm receipt.
/// <see cref="AwaitingPayee"/>: the payee must act now; <see cref="Confirmation"/>: what their app passes to the
/// provider's confirm call (null while awaiting the payee: unchanged, the provider did not repeat it).
/// </summary>
public sealed record PayoutPendingResult(string ProviderReference, IReadOnlyDictionary<string, string>? Confirmation, bool AwaitingPayee = true) : PayoutResult;

/// <summary>The provider may or may not have received the payout (network failure, 5xx, unverifiable answer): ask it again under the same key.</summary>
public sealed class PayoutOutcomeUnknownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Port to the payout channel (WeChat Pay transfer to balance in production; a sandbox locally).</summary>
public interface IPayoutProvider
{
    /// <summary>Why this provider cannot pay <paramref name="netFen"/> to <paramref name="destination"/> (a field error), or null when it can.</summary>
    FieldError? Refusal(PayoutDestination destination, long netFen);

    Task<PayoutResult> PayAsync(PayoutOrder order, CancellationToken ct);

    /// <summary>The outcome of an earlier call with this key (pending included), or null when the provider never received it.</summary>
    Task<PayoutResult?> QueryAsync(string idempotencyKey, CancellationToken ct);
}

/// <summary>
/// Local sandbox payout channel (Development only), deterministic. Cards ending in 0000 fail (retryable),
/// cards ending in 1111 fail for good. WeChat balances are paid at once, except openids ending in
/// <c>-confirm</c>, which wait for <see cref="Confirm"/> (as WeChat waits for the payee). A key is paid at most once.
/// </summary>
public sealed class SandboxPayoutProvider(ILogger<SandboxPayoutProvider> logger) : IPayoutProvider
{
    public const string ConfirmSuffix = "-confirm";

    private readonly ConcurrentDictionary<string, PayoutResult> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PayoutOrder> _awaiting = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PayoutOrder> _paid = new();

    /// <summary>Orders actually paid, in order: what a test counts to prove nothing was paid twice.</summary>
    public IReadOnlyCollection<PayoutOrder> Paid => _paid.ToArray();

    public int Calls;

    public FieldError? Refusal(PayoutDestination destination, long netFen) => null;

    public Task<PayoutResult> PayAsync(PayoutOrder order, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        var result = _byKey.GetOrAdd(order.IdempotencyKey, _ =>
        {
            PayoutResult outcome = order.Payee switch
            {
                PayeeCard { Last4: "0000" } => new PayoutFailedResult("sandbox_bank_unavailable", Retryable: true),
                PayeeCard { Last4: "1111" } => new PayoutFailedResult("sandbox_account_closed", Retryable: false),
                PayeeWeChatBalance w when w.OpenId.EndsWith(ConfirmSuffix, StringComparison.Ordinal) =>
                    new PayoutPendingResult($"sandbox-{Guid.NewGuid():N}", new Dictionary<string, string> { ["package"] = $"sandbox-package-{order.IdempotencyKey}" }),
                _ => new PayoutSucceededResult($"sandbox-{Guid.NewGuid():N}"),
            };
            if (outcome is PayoutSucceededResult)
            {
                _paid.Enqueue(order);
            }
            else if (outcome is PayoutPendingResult)
            {
                _awaiting[order.IdempotencyKey] = order;
            }

            return outcome;
        });
        logger.LogInformation("Sandbox payout {Key} of {AmountFen} fen to {Destination}: {Result}", order.IdempotencyKey, order.AmountFen, order.Payee.Destination, result.GetType().Name);
        return Task.FromResult(result);
    }

    public Task<PayoutResult?> QueryAsync(string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(_byKey.TryGetValue(idempotencyKey, out var result) ? result : null);

    /// <summary>The payee confirms receipt of a pending transfer: it is paid (once).</summary>
    public bool Confirm(string idempotencyKey)
    {
        if (!_awaiting.TryRemove(idempotencyKey, out var order) || _byKey[idempotencyKey] is not PayoutPendingResult pending)
        {
            return false;
        }

        _byKey[idempotencyKey] = new PayoutSucceededResult(pending.ProviderReference);
        _paid.Enqueue(order);
        return true;
    }
}

public sealed record PayoutBatchItem(string WithdrawalId, int Attempt, string Outcome, string? ProviderReference = null, string? Reason = null);

/// <summary>One payout run and what happened to each withdrawal it took (in `withdrawals`, type payout-batch).</summary>
public sealed record PayoutBatchDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "payout-batch";
    public required string RunId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public required string SortKey { get; init; }
    public IReadOnlyList<PayoutBatchItem> Items { get; init; } = [];
    public int Paid { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }
    /// <summary>Accepted by the provider and awaiting the payee's confirmation.</summary>
    public int Pending { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>When the last scheduled payout run was due (in `system`): overlapping timer ticks agree on one run per occurrence.</summary>
internal sealed record PayoutScheduleDocument(string Id, DateTimeOffset LastCheckedAt)
{
    public const string DocumentId = "payout-schedule";

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>
/// Pays approved withdrawals and retries failed ones. Never twice: each withdrawal is claimed with an
/// ETag-conditional Approved/Failed → Paying transition before the provider is called (one claimer wins),
/// the provider key is withdrawal id + attempt, a new attempt starts only after a definite failure, and a
/// claim whose lease ran out is reconciled by asking the provider about the same key.
/// </summary>
public sealed class PayoutRunner(
    CosmosDb db, Withdrawals withdrawals, LedgerService ledger, MoneySettings settings, TimeProvider time, ILogger<PayoutRunner> logger,
    IPayoutProvider? provider = null)
{
    public const int MaxPerRun = 200;

    public bool ProviderConfigured => provider is not null;

    /// <summary>
    /// A timer tick: repairs half-done money work, asks the provider about transfers awaiting the payee's confirmation,
    /// and says whether the settings' schedule has come due since the last tick (then the tick starts a payout run).
    /// </summary>
    public async Task<bool> TickAsync(CancellationToken ct)
    {
        await ledger.RepairAsync(TimeSpan.FromMinutes(1), ct);
        await withdrawals.RepairAsync(TimeSpan.FromMinutes(1), ct);
        await ReconcileAwaitingAsync(ct);
        return await IsDueAsync(ct);
    }

    /// <summary>
    /// One payout run in-process, step by step as the payout orchestration runs it (<see cref="PayoutOrchestrator"/>):
    /// the payable withdrawals, each paid, the batch recorded.
    /// </summary>
    public async Task<PayoutBatchDocument?> RunAsync(string runId, CancellationToken ct)
    {
        if (provider is null)
        {
            logger.LogWarning("No payout provider is configured (Money:PayoutProvider); payout run {RunId} skipped", runId);
            return null;
        }

        var started = time.GetUtcNow();
        var items = new List<PayoutBatchItem>();
        foreach (var id in await PayableAsync(ct))
        {
            items.Add(await PayOneAsync(id, runId, ct));
        }

        return await RecordBatchAsync(runId, started, items, ct);
    }

    /// <summary>The withdrawals a run takes: approved ones and failed ones due for another attempt, at most <see cref="MaxPerRun"/>.</summary>
    public async Task<IReadOnlyList<string>> PayableAsync(CancellationToken ct) =>
        provider is null ? [] : [.. (await withdrawals.PayableAsync(MaxPerRun, ct)).Select(w => w.Id)];

    /// <summary>Pays one withdrawal for run <paramref name="runId"/>; run again for the same run, it reports what the first did.</summary>
    public async Task<PayoutBatchItem> PayOneAsync(string withdrawalId, string runId, CancellationToken ct)
    {
        var config = await settings.WithdrawalsAsync(ct);
        return await PayOneAsync(withdrawalId, runId, TimeSpan.FromMinutes(config.PayoutLeaseMinutes), config.MaxPayoutAttempts, ct);
    }

    public async Task<PayoutBatchDocument> RecordBatchAsync(string runId, DateTimeOffset started, IReadOnlyList<PayoutBatchItem> items, CancellationToken ct)
    {
        var batch = new PayoutBatchDocument
        {
            Id = $"batch:{runId}",
            RunId = runId,
            StartedAt = started,
            FinishedAt = time.GetUtcNow(),
            SortKey = CosmosExtensions.TimeSortKey(started, runId),
            Items = items,
            Paid = items.Count(i => i.Outcome == "paid"),
            Failed = items.Count(i => i.Outcome is "failed" or "abandoned"),
            Skipped = items.Count(i => i.Outcome == "skipped"),
            Pending = items.Count(i => i.Outcome == "pending"),
        };
        await db.Withdrawals.UpsertItemAsync(batch, new PartitionKey(batch.Id), cancellationToken: ct);
        logger.LogInformation("Payout run {RunId}: {Paid} paid, {Failed} failed, {Skipped} skipped, {Pending} awaiting confirmation",
            runId, batch.Paid, batch.Failed, batch.Skipped, batch.Pending);
        return batch;
    }

    /// <summary>Asks the provider about every withdrawal awaiting the payee's confirmation (each tick, not only on the schedule).</summary>
    public async Task<int> ReconcileAwaitingAsync(CancellationToken ct)
    {
        if (provider is null)
        {
            return 0;
        }

        var awaiting = await withdrawals.AwaitingConfirmationAsync(MaxPerRun, ct);
        foreach (var withdrawal in awaiting)
        {
            try
            {
                await RefreshAsync(withdrawal, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick asks again; nothing is paid by asking.
                logger.LogWarning(e, "Could not ask the payout provider about withdrawal {WithdrawalId}", withdrawal.Id);
            }
        }

        return awaiting.Count;
    }

    /// <summary>
    /// Records what the provider says about a withdrawal awaiting confirmation: paid, failed, or still pending (its
    /// confirmation parameters refreshed). Only asks, never pays: the attempt's key stays the one the provider holds.
    /// </summary>
    public async Task<WithdrawalDocument> RefreshAsync(WithdrawalDocument withdrawal, CancellationToken ct)
    {
        if (provider is null || withdrawal.Status != WithdrawalStatus.AwaitingConfirmation)
        {
            return withdrawal;
        }

        var attempt = withdrawal.Attempt;
        var result = await provider.QueryAsync(PayoutKey(withdrawal.Id, attempt), ct);
        var now = time.GetUtcNow();
        switch (result)
        {
            case PayoutSucceededResult ok:
                return await withdrawals.TransitionAsync(withdrawal.Id, new RecordPayoutSucceeded(attempt, ok.ProviderReference, now), null, ct);
            case PayoutFailedResult failed:
                var maxAttempts = (await settings.WithdrawalsAsync(ct)).MaxPayoutAttempts;
                return await withdrawals.TransitionAsync(withdrawal.Id, new RecordPayoutFailed(attempt, failed.Reason, failed.Retryable, maxAttempts, now), null, ct);
            case PayoutPendingResult pending:
                var confirmation = pending.AwaitingPayee ? pending.Confirmation ?? withdrawal.Confirmation : null;
                return await withdrawals.SetConfirmationAsync(withdrawal.Id, attempt, confirmation, ct);
            default:
                // The provider accepted this key earlier; not knowing it now is for an admin to look into, never a reason to pay again.
                logger.LogError("Payout provider does not know withdrawal {WithdrawalId} attempt {Attempt}, which it accepted", withdrawal.Id, attempt);
                return withdrawal;
        }
    }

    public static string PayoutKey(string withdrawalId, int attempt) => $"{withdrawalId}:{attempt}";

    public Task<Page<PayoutBatchDocument>> BatchesAsync(string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Withdrawals.KeysetPageAsync<PayoutBatchDocument>(null, "c.type = 'payout-batch'", new Dictionary<string, object?>(), "sortKey",
            descending: true, b => b.SortKey, ContinuationTokens.Fingerprint("payout-batches"), continuationToken, pageSize, ct);

    private async Task<PayoutBatchItem> PayOneAsync(string id, string runId, TimeSpan lease, int maxAttempts, CancellationToken ct)
    {
        WithdrawalDocument claimed;
        try
        {
            claimed = await withdrawals.TransitionAsync(id, new ClaimPayout(runId, lease, time.GetUtcNow()), null, ct);
        }
        catch (ConflictException e)
        {
            // This run already finished it (an activity delivered again): report what it did.
            if (await withdrawals.FindAsync(id, ct) is { } done && done.Attempts.Any(a => a.Attempt == done.Attempt && a.ClaimId == runId))
            {
                switch (done.Status)
                {
                    case WithdrawalStatus.Paid:
                        return new PayoutBatchItem(id, done.Attempt, "paid", done.ProviderReference);
                    case WithdrawalStatus.AwaitingConfirmation:
                        return new PayoutBatchItem(id, done.Attempt, "pending", done.ProviderReference);
                    case WithdrawalStatus.Failed or WithdrawalStatus.Abandoned:
                        return new PayoutBatchItem(id, done.Attempt, done.Status == WithdrawalStatus.Abandoned ? "abandoned" : "failed", Reason: done.FailureReason);
                }
            }

            // Another run holds it, or it moved on (paid, rejected) since the query.
            return new PayoutBatchItem(id, 0, "skipped", Reason: e.Code);
        }

        var attempt = claimed.Attempt;
        var order = new PayoutOrder(PayoutKey(id, attempt), id, attempt, claimed.NetFen, claimed.OwnerKey, claimed.Payee);
        PayoutResult result;
        try
        {
            // Ask first: a claim taken over after its lease may already have reached the provider (the same key cannot pay twice anyway).
            result = await provider!.QueryAsync(order.IdempotencyKey, ct) ?? await provider.PayAsync(order, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unknown outcome: the claim stays; after its lease a later run reconciles this same attempt.
            logger.LogWarning(e, "Payout of withdrawal {WithdrawalId} attempt {Attempt} has an unknown outcome", id, attempt);
            return new PayoutBatchItem(id, attempt, "unknown", Reason: e.GetType().Name);
        }

        var now = time.GetUtcNow();
        switch (result)
        {
            case PayoutSucceededResult ok:
                await withdrawals.TransitionAsync(id, new RecordPayoutSucceeded(attempt, ok.ProviderReference, now), null, ct);
                return new PayoutBatchItem(id, attempt, "paid", ok.ProviderReference);
            case PayoutFailedResult failed:
                var after = await withdrawals.TransitionAsync(id, new RecordPayoutFailed(attempt, failed.Reason, failed.Retryable, maxAttempts, now), null, ct);
                return new PayoutBatchItem(id, attempt, after.Status == WithdrawalStatus.Abandoned ? "abandoned" : "failed", Reason: failed.Reason);
            case PayoutPendingResult pending:
                await withdrawals.TransitionAsync(id, new RecordPayoutPending(attempt, pending.ProviderReference, pending.Confirmation, now), null, ct);
                return new PayoutBatchItem(id, attempt, "pending", pending.ProviderReference);
            default:
                throw new InvalidOperationException($"Unknown payout result {result}.");
        }
    }

    /// <summary>Due when the schedule has an occurrence after the last tick; the tick that records "checked now" first wins.</summary>
    private async Task<bool> IsDueAsync(CancellationToken ct)
    {
        var schedule = (await settings.WithdrawalsAsync(ct)).Schedule();
        var now = time.GetUtcNow();
        var current = (await db.System.ReadOrNullAsync<PayoutScheduleDocument>(PayoutScheduleDocument.DocumentId, PayoutScheduleDocument.DocumentId, ct))?.Resource;
        var last = current?.LastCheckedAt ?? now - PayoutFunction.TickInterval;
        var next = schedule.GetNextOccurrence(last.UtcDateTime, TimeZoneInfo.Utc);
        if (next is null || next.Value > now)
        {
            return false;
        }

        var checkedNow = new PayoutScheduleDocument(PayoutScheduleDocument.DocumentId, now);
        try
        {
            if (current is null)
            {
                await db.System.CreateItemAsync(checkedNow, new PartitionKey(checkedNow.Id), cancellationToken: ct);
            }
            else
            {
                await db.System.ReplaceItemAsync(checkedNow, checkedNow.Id, new PartitionKey(checkedNow.Id), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
            }

            return true;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            // An overlapping tick took this occurrence.
            return false;
        }
    }
}

/// <summary>
/// The payout timer. It ticks every 10 minutes; the payout run itself follows the NCRONTAB schedule in the
/// withdrawal settings (default Mondays 02:00 UTC), so admins change it without a redeploy.
/// </summary>
public sealed class PayoutFunction(PayoutRunner runner, PayoutRuns runs, DurableClientAccessor durable, TimeProvider time)
{
    public const string Name = "PayoutWithdrawals";
    public const string Schedule = "0 */10 * * * *";
    public static readonly TimeSpan TickInterval = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Ticks every 10 minutes: repairs, reconciles transfers awaiting confirmation, and when the payout schedule in the
    /// withdrawal settings has come due (weekly by default; admins change it without a redeploy) starts that run's payout
    /// orchestration — one per occurrence, so overlapping ticks or hosts never start two.
    /// </summary>
    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        if (client is not null)
        {
            durable.Bind(client);
        }

        if (!runner.ProviderConfigured)
        {
            return "No payout provider configured; skipped";
        }

        if (!await runner.TickAsync(ct))
        {
            return "No payout run due";
        }

        var runId = await runs.StartAsync(PayoutRuns.ScheduledRunId(time.GetUtcNow()), "schedule", ct);
        return $"Payout run {runId} started";
    }
}
