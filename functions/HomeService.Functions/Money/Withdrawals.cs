using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

/// <summary>The card a withdrawal pays to, copied at request time (removing the card later changes nothing).</summary>
public sealed record PayeeCard(string CardId, string HolderName, string BankName, string MaskedNumber, string Last4, string NumberHash);

public sealed record WithdrawalHistoryEntry(string Status, DateTimeOffset At, string? By = null, string? Note = null);

/// <summary>One payout attempt's outcome, as recorded on the withdrawal.</summary>
public sealed record PayoutAttemptRecord(int Attempt, string ClaimId, DateTimeOffset ClaimedAt, string? Outcome = null, string? ProviderReference = null,
    string? Reason = null, DateTimeOffset? FinishedAt = null);

/// <summary>
/// A withdrawal in `withdrawals` (partition /id). Id = hash of owner + Idempotency-Key, so a retried
/// request finds its first answer. <see cref="PendingPosting"/> names the ledger transaction a state
/// change still owes (set in the same replace as the change, cleared once posted).
/// </summary>
public sealed record WithdrawalDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "withdrawal";
    public required string OwnerKey { get; init; }
    public required WithdrawalStatus Status { get; init; }
    public required long AmountFen { get; init; }
    public required long FeeFen { get; init; }
    public long NetFen => AmountFen - FeeFen;
    public required long MinimumFen { get; init; }
    public required PayeeCard Card { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string SortKey { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public int Attempt { get; init; }
    public string? ClaimId { get; init; }
    public DateTimeOffset? ClaimedAt { get; init; }
    public string? RejectionReason { get; init; }
    public string? FailureReason { get; init; }
    public string? ProviderReference { get; init; }
    public string? PendingPosting { get; init; }
    public IReadOnlyList<PayoutAttemptRecord> Attempts { get; init; } = [];
    public IReadOnlyList<WithdrawalHistoryEntry> History { get; init; } = [];

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    [JsonIgnore]
    public WalletOwner Owner => MoneyKeys.Owner(OwnerKey);

    public WithdrawalState ToState() => new(Status, Attempt, ClaimId, ClaimedAt);
}

public sealed record WithdrawalRequest(long? AmountFen, string? BankCardId);

public sealed record WithdrawalView(
    string Id, string Status, long AmountFen, long FeeFen, long NetFen, string BankName, string MaskedCardNumber,
    DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, int Attempts, string? RejectionReason, string? FailureReason,
    IReadOnlyList<WithdrawalHistoryEntry> History)
{
    public static WithdrawalView Of(WithdrawalDocument d) => new(d.Id, Json(d.Status), d.AmountFen, d.FeeFen, d.NetFen, d.Card.BankName, d.Card.MaskedNumber,
        d.CreatedAt, d.UpdatedAt, d.Attempt, d.RejectionReason, d.FailureReason, d.History);

    public static string Json(WithdrawalStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}

public sealed record AdminWithdrawalView(string OwnerKey, WithdrawalView Withdrawal, string? ProviderReference, IReadOnlyList<PayoutAttemptRecord> PayoutAttempts);

/// <summary>
/// Withdrawals (提现): request (charging the wallet under its ETag, so racing requests never overdraw),
/// admin approval or rejection, and the state changes the payout run records. Each state change is one
/// ETag-conditional replace decided by <see cref="WithdrawalTransitions"/>.
/// </summary>
public sealed class Withdrawals(CosmosDb db, LedgerService ledger, BankCards cards, MoneySettings settings, TimeProvider time, ILogger<Withdrawals> logger)
{
    public const string PostRejected = "rejected";
    public const string PostPaid = "paid";
    public const string PostAbandoned = "abandoned";

    public static string IdFor(WalletOwner owner, string idempotencyKey) =>
        "wd_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{owner.Key}\n{idempotencyKey}")))[..32];

    public async Task<WithdrawalDocument> RequestAsync(WalletOwner owner, string idempotencyKey, WithdrawalRequest request, CancellationToken ct)
    {
        new Validator().Required("Idempotency-Key", idempotencyKey, 100).ThrowIfInvalid();
        var id = IdFor(owner, idempotencyKey);
        var existing = await FindAsync(id, ct);
        if (existing is not null)
        {
            return await RepeatAsync(existing, request, ct);
        }

        var withdrawalSettings = await settings.WithdrawalsAsync(ct);
        var v = new Validator();
        if (request.AmountFen is null)
        {
            v.Add("amountFen", "required");
        }
        else
        {
            v.Range("amountFen", request.AmountFen.Value, withdrawalSettings.MinimumFen, 100_000_000);
        }

        v.ThrowIfInvalid();
        var card = await cards.FindAsync(owner, request.BankCardId, ct);
        if (card is null)
        {
            throw ValidationFailedException.For("bankCardId", request.BankCardId is null ? "required" : "unknown_reference");
        }

        var amount = request.AmountFen!.Value;
        var now = time.GetUtcNow();
        var document = new WithdrawalDocument
        {
            Id = id,
            OwnerKey = owner.Key,
            Status = WithdrawalStatus.Reserving,
            AmountFen = amount,
            FeeFen = withdrawalSettings.FeeFor(amount),
            MinimumFen = withdrawalSettings.MinimumFen,
            Card = new PayeeCard(card.Id, card.HolderName, card.BankName, card.MaskedNumber, card.Last4, card.NumberHash),
            CreatedAt = now,
            SortKey = CosmosExtensions.TimeSortKey(now, id),
            History = [new WithdrawalHistoryEntry(Json(WithdrawalStatus.Reserving), now)],
        };
        try
        {
            document = (await db.Withdrawals.CreateItemAsync(document, new PartitionKey(id), cancellationToken: ct)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return await RepeatAsync((await FindAsync(id, ct))!, request, ct);
        }

        return await ReserveAsync(document, ct);
    }

    public async Task<WithdrawalDocument?> FindAsync(string id, CancellationToken ct) =>
        (await db.Withdrawals.ReadOrNullAsync<WithdrawalDocument>(id, id, ct))?.Resource;

    /// <summary>One of the owner's withdrawals; another owner's id is simply not found.</summary>
    public async Task<WithdrawalDocument> GetOwnAsync(WalletOwner owner, string id, CancellationToken ct)
    {
        var document = await FindAsync(id, ct);
        return document is not null && document.OwnerKey == owner.Key && document.Type == "withdrawal"
            ? document
            : throw new NotFoundException("res.withdrawal", id);
    }

    public Task<Page<WithdrawalDocument>> ListOwnAsync(WalletOwner owner, string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Withdrawals.KeysetPageAsync<WithdrawalDocument>(null,
            "c.type = 'withdrawal' AND c.ownerKey = @o AND c.status != 'refused' AND c.status != 'reserving'",
            new Dictionary<string, object?> { ["@o"] = owner.Key }, "sortKey", descending: true, w => w.SortKey,
            ContinuationTokens.Fingerprint("withdrawals", owner.Key), continuationToken, pageSize, ct);

    /// <summary>Oldest first, so the review queue is worked in order.</summary>
    public Task<Page<WithdrawalDocument>> ListByStatusAsync(WithdrawalStatus? status, string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Withdrawals.KeysetPageAsync<WithdrawalDocument>(null,
            "c.type = 'withdrawal'" + (status is null ? "" : " AND c.status = @s"),
            new Dictionary<string, object?> { ["@s"] = status is null ? null : Json(status.Value) }, "sortKey", descending: false, w => w.SortKey,
            ContinuationTokens.Fingerprint("admin-withdrawals", status), continuationToken, pageSize, ct);

    public async Task<IReadOnlyList<WithdrawalDocument>> PayableAsync(int max, CancellationToken ct)
    {
        var query = new QueryDefinition($"SELECT TOP {max} * FROM c WHERE c.type = 'withdrawal' AND (c.status = 'approved' OR c.status = 'failed' OR c.status = 'paying') ORDER BY c.sortKey");
        return await db.Withdrawals.QueryAllAsync<WithdrawalDocument>(query, null, ct);
    }

    /// <summary>Withdrawals a crash left half-done: stuck reserving, or owing a ledger posting.</summary>
    public async Task<int> RepairAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - olderThan;
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'withdrawal' AND (c.status = 'reserving' OR IS_DEFINED(c.pendingPosting))");
        var stuck = (await db.Withdrawals.QueryAllAsync<WithdrawalDocument>(query, null, ct))
            .Where(w => (w.UpdatedAt ?? w.CreatedAt) <= cutoff)
            .ToArray();
        foreach (var withdrawal in stuck)
        {
            logger.LogWarning("Finishing withdrawal {WithdrawalId} left in {Status}", withdrawal.Id, withdrawal.Status);
            if (withdrawal.Status == WithdrawalStatus.Reserving)
            {
                try
                {
                    await ReserveAsync(withdrawal, ct);
                }
                catch (ConflictException e) when (e.Code == "insufficient_funds")
                {
                    // Recorded as refused: nothing moved, and that is a finished outcome.
                }
            }
            else
            {
                await PostPendingAsync(withdrawal, ct);
            }
        }

        return stuck.Length;
    }

    /// <summary>
    /// Applies <paramref name="command"/> with an ETag-conditional replace: the client's If-Match when given
    /// (412 if stale), else the version just read (a lost race re-reads and decides again). A wrong state is
    /// a 409 naming it; an already-applied command changes nothing.
    /// </summary>
    public async Task<WithdrawalDocument> TransitionAsync(string id, WithdrawalCommand command, string? ifMatch, CancellationToken ct)
    {
        while (true)
        {
            var current = await FindAsync(id, ct) ?? throw new NotFoundException("res.withdrawal", id);
            if (current.Type != "withdrawal")
            {
                throw new NotFoundException("res.withdrawal", id);
            }

            if (ifMatch is not null && ifMatch != current.ETag)
            {
                throw new PreconditionFailedException();
            }

            var decision = WithdrawalTransitions.Decide(command, current.ToState());
            if (decision.Error is { } error)
            {
                throw new ConflictException(error.Code, Json(error.CurrentStatus), error.Command);
            }

            if (decision.Event is null)
            {
                return await PostPendingAsync(current, ct);
            }

            var next = Apply(current, decision.Event);
            try
            {
                var stored = (await db.Withdrawals.ReplaceItemAsync(next, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct)).Resource;
                logger.LogInformation("Withdrawal {WithdrawalId} {Status}", id, stored.Status);
                return await PostPendingAsync(stored, ct);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                if (ifMatch is not null)
                {
                    throw new PreconditionFailedException();
                }
            }
        }
    }

    /// <summary>Posts the ledger transaction a state change owes (idempotent by its id), then clears the mark.</summary>
    public async Task<WithdrawalDocument> PostPendingAsync(WithdrawalDocument withdrawal, CancellationToken ct)
    {
        while (withdrawal.PendingPosting is { } pending)
        {
            var at = (withdrawal.UpdatedAt ?? withdrawal.CreatedAt).ToUniversalTime();
            var transaction = pending switch
            {
                PostRejected => MoneyFlows.WithdrawalRejected(withdrawal.Id, withdrawal.Owner, withdrawal.AmountFen, withdrawal.FeeFen, at),
                PostAbandoned => MoneyFlows.PayoutAbandoned(withdrawal.Id, withdrawal.Owner, withdrawal.AmountFen, withdrawal.FeeFen, at),
                PostPaid => MoneyFlows.PayoutSucceeded(withdrawal.Id, withdrawal.Attempt, withdrawal.Owner, withdrawal.NetFen, at),
                _ => throw new InvalidOperationException($"Unknown pending posting '{pending}'."),
            };
            await ledger.PostAsync(transaction, new LedgerContext(WithdrawalId: withdrawal.Id), ct);
            try
            {
                withdrawal = (await db.Withdrawals.ReplaceItemAsync(withdrawal with { PendingPosting = null }, withdrawal.Id, new PartitionKey(withdrawal.Id),
                    new ItemRequestOptions { IfMatchEtag = withdrawal.ETag }, ct)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                withdrawal = (await FindAsync(withdrawal.Id, ct))!;
            }
        }

        return withdrawal;
    }

    private async Task<WithdrawalDocument> RepeatAsync(WithdrawalDocument existing, WithdrawalRequest request, CancellationToken ct)
    {
        if (request.AmountFen != existing.AmountFen || (request.BankCardId is not null && request.BankCardId != existing.Card.CardId))
        {
            throw new ConflictException("idempotency_key_reused");
        }

        return existing.Status == WithdrawalStatus.Reserving
            ? await ReserveAsync(existing, ct)
            : ThrowIfRefused(existing);
    }

    /// <summary>Charges the wallet (or learns it cannot) and records the outcome on the withdrawal; safe to repeat.</summary>
    private async Task<WithdrawalDocument> ReserveAsync(WithdrawalDocument withdrawal, CancellationToken ct)
    {
        var transaction = MoneyFlows.WithdrawalRequested(withdrawal.Id, withdrawal.Owner, withdrawal.AmountFen, withdrawal.FeeFen, withdrawal.CreatedAt.ToUniversalTime());
        var refusal = await ledger.ReserveAsync(withdrawal.Owner, transaction, new LedgerContext(WithdrawalId: withdrawal.Id),
            state => state.ApplyWithdrawalRequest(withdrawal.AmountFen, withdrawal.FeeFen, withdrawal.MinimumFen).Error, ct);
        var stored = await TransitionAsync(withdrawal.Id, new CompleteReservation(refusal is null, time.GetUtcNow()), null, ct);
        return ThrowIfRefused(stored);
    }

    private static WithdrawalDocument ThrowIfRefused(WithdrawalDocument withdrawal) => withdrawal.Status == WithdrawalStatus.Refused
        ? throw new ConflictException("insufficient_funds")
        : withdrawal;

    private WithdrawalDocument Apply(WithdrawalDocument current, WithdrawalEvent @event)
    {
        var state = WithdrawalTransitions.Evolve(current.ToState(), @event);
        var next = current with
        {
            Status = state.Status,
            Attempt = state.Attempt,
            ClaimId = state.ClaimId,
            ClaimedAt = state.ClaimedAt,
            UpdatedAt = @event.At,
            ETag = null,
        };
        var (by, note) = (default(string), default(string));
        switch (@event)
        {
            case WithdrawalApproved e:
                by = e.AdminId;
                break;
            case WithdrawalRejectedByAdmin e:
                (by, note) = (e.AdminId, e.Reason);
                next = next with { RejectionReason = e.Reason, PendingPosting = PostRejected };
                break;
            case PayoutClaimed e:
                note = e.Takeover ? $"attempt {e.Attempt} taken over" : $"attempt {e.Attempt}";
                next = next with
                {
                    Attempts = e.Takeover
                        ? [.. current.Attempts.Where(a => a.Attempt != e.Attempt), current.Attempts.Single(a => a.Attempt == e.Attempt) with { ClaimId = e.ClaimId, ClaimedAt = e.At }]
                        : [.. current.Attempts, new PayoutAttemptRecord(e.Attempt, e.ClaimId, e.At)],
                };
                break;
            case PayoutPaid e:
                next = next with { ProviderReference = e.ProviderReference, PendingPosting = PostPaid, Attempts = Finish(current, e.Attempt, "succeeded", e.ProviderReference, null, e.At) };
                break;
            case PayoutAttemptFailed e:
                note = e.Reason;
                next = next with { FailureReason = e.Reason, Attempts = Finish(current, e.Attempt, "failed", null, e.Reason, e.At) };
                break;
            case PayoutGivenUp e:
                note = e.Reason;
                next = next with { FailureReason = e.Reason, PendingPosting = PostAbandoned, Attempts = Finish(current, e.Attempt, "failed", null, e.Reason, e.At) };
                break;
        }

        return next with { History = [.. current.History, new WithdrawalHistoryEntry(Json(state.Status), @event.At, by, note)] };
    }

    private static IReadOnlyList<PayoutAttemptRecord> Finish(WithdrawalDocument current, int attempt, string outcome, string? reference, string? reason, DateTimeOffset at) =>
        current.Attempts.Select(a => a.Attempt == attempt ? a with { Outcome = outcome, ProviderReference = reference, Reason = reason, FinishedAt = at } : a).ToArray();

    private static string Json(WithdrawalStatus status) => WithdrawalView.Json(status);
}
