using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

/// <summary>The card a withdrawal pays to, copied at request time (removing the card later changes nothing).</summary>
public sealed record PayeeCard(string CardId, string HolderName, string BankName, string MaskedNumber, string Last4, string NumberHash) : Payee
{
    [JsonIgnore]
    public override PayoutDestination Destination => PayoutDestination.BankCard;
}

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
    /// <summary>Bank card (documents written before destinations existed have only a card) or WeChat balance.</summary>
    public PayoutDestination Destination { get; init; } = PayoutDestination.BankCard;
    public PayeeCard? Card { get; init; }
    public PayeeWeChatBalance? WeChat { get; init; }
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
    /// <summary>While awaiting confirmation: what the payee's app passes to the provider's confirm call (WeChat: wx.requestMerchantTransfer).</summary>
    public IReadOnlyDictionary<string, string>? Confirmation { get; init; }
    public IReadOnlyList<PayoutAttemptRecord> Attempts { get; init; } = [];
    public IReadOnlyList<WithdrawalHistoryEntry> History { get; init; } = [];

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    [JsonIgnore]
    public WalletOwner Owner => MoneyKeys.Owner(OwnerKey);

    [JsonIgnore]
    public Payee Payee => Destination switch
    {
        PayoutDestination.WeChatBalance => WeChat ?? throw new InvalidOperationException($"Withdrawal {Id} to WeChat balance has no openid."),
        _ => Card ?? throw new InvalidOperationException($"Withdrawal {Id} to a bank card has no card."),
    };

    public WithdrawalState ToState() => new(Status, Attempt, ClaimId, ClaimedAt);
}

/// <param name="Destination"><c>bankCard</c> (the default) or <c>wechatBalance</c>.</param>
/// <param name="BankCardId">For bankCard: the card, or the default card when omitted.</param>
public sealed record WithdrawalRequest(long? AmountFen, string? BankCardId, string? Destination = null);

/// <param name="Confirmation">
/// Set while the status is awaitingConfirmation and the payee must confirm receipt: the object for
/// <c>wx.requestMerchantTransfer</c> (mchId, appId, package). After confirming, POST …/withdrawals/{id}/refresh.
/// </param>
public sealed record WithdrawalView(
    string Id, string Status, string Destination, long AmountFen, long FeeFen, long NetFen, string? BankName, string? MaskedCardNumber,
    DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, int Attempts, string? RejectionReason, string? FailureReason,
    IReadOnlyDictionary<string, string>? Confirmation, IReadOnlyList<WithdrawalHistoryEntry> History)
{
    public static WithdrawalView Of(WithdrawalDocument d) => new(d.Id, Json(d.Status), Json(d.Destination), d.AmountFen, d.FeeFen, d.NetFen,
        d.Card?.BankName, d.Card?.MaskedNumber, d.CreatedAt, d.UpdatedAt, d.Attempt, d.RejectionReason, d.FailureReason,
        d.Status == WithdrawalStatus.AwaitingConfirmation ? d.Confirmation : null, d.History);

    public static string Json(WithdrawalStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    /// <summary>The API's names, also what a request's destination takes.</summary>
    public static string Json(PayoutDestination destination) => destination == PayoutDestination.WeChatBalance ? "wechatBalance" : "bankCard";
}

public sealed record AdminWithdrawalView(string OwnerKey, WithdrawalView Withdrawal, string? ProviderReference, IReadOnlyList<PayoutAttemptRecord> PayoutAttempts);

/// <summary>
/// Withdrawals (提现): request (charging the wallet under its ETag, so racing requests never overdraw),
/// admin approval or rejection, and the state changes the payout run records. Each state change is one
/// ETag-conditional replace decided by <see cref="WithdrawalTransitions"/>.
/// </summary>
public sealed class Withdrawals(
    CosmosDb db, LedgerService ledger, BankCards cards, UserAccounts users, Merchants.MerchantStore merchants, MoneySettings settings, TimeProvider time,
    ILogger<Withdrawals> logger, IPayoutProvider? provider = null)
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

        var destination = ParseDestination(v, request.Destination);
        v.ThrowIfInvalid();
        var amount = request.AmountFen!.Value;
        var fee = withdrawalSettings.FeeFor(amount);
        // Only what the configured provider can pay is accepted; without a provider (payouts paused) requests wait for one.
        if (provider?.Refusal(destination, amount - fee) is { } refusal)
        {
            throw new ValidationFailedException([refusal]);
        }

        var payee = await PayeeAsync(owner, destination, request.BankCardId, ct);
        var now = time.GetUtcNow();
        var document = new WithdrawalDocument
        {
            Id = id,
            OwnerKey = owner.Key,
            Status = WithdrawalStatus.Reserving,
            AmountFen = amount,
            FeeFen = fee,
            MinimumFen = withdrawalSettings.MinimumFen,
            Destination = destination,
            Card = payee as PayeeCard,
            WeChat = payee as PayeeWeChatBalance,
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

    public const string DestinationField = "destination";

    private static PayoutDestination ParseDestination(Validator v, string? value)
    {
        if (value is null || string.Equals(value, "bankCard", StringComparison.OrdinalIgnoreCase))
        {
            return PayoutDestination.BankCard;
        }

        if (string.Equals(value, "wechatBalance", StringComparison.OrdinalIgnoreCase))
        {
            return PayoutDestination.WeChatBalance;
        }

        v.Add(DestinationField, "invalid_destination");
        return PayoutDestination.BankCard;
    }

    /// <summary>
    /// The payee snapshot: the chosen (or default) card, or the WeChat openid of the person behind the wallet (a worker's
    /// wallet is theirs; a merchant's belongs to the merchant, paid to its owner's WeChat).
    /// </summary>
    private async Task<Payee> PayeeAsync(WalletOwner owner, PayoutDestination destination, string? bankCardId, CancellationToken ct)
    {
        if (destination == PayoutDestination.WeChatBalance)
        {
            var userId = owner.Kind == WalletOwnerKind.Merchant ? (await merchants.FindAsync(owner.Id, ct))?.OwnerUserId : owner.Id;
            var user = userId is null ? null : await users.FindAsync(userId, ct);
            return string.IsNullOrEmpty(user?.WeChatOpenId)
                ? throw ValidationFailedException.For(DestinationField, "wechat_not_bound")
                : new PayeeWeChatBalance(user.WeChatOpenId);
        }

        var card = await cards.FindAsync(owner, bankCardId, ct)
                   ?? throw ValidationFailedException.For("bankCardId", bankCardId is null ? "required" : "unknown_reference");
        return new PayeeCard(card.Id, card.HolderName, card.BankName, card.MaskedNumber, card.Last4, card.NumberHash);
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

    public async Task<IReadOnlyList<WithdrawalDocument>> AwaitingConfirmationAsync(int max, CancellationToken ct)
    {
        var query = new QueryDefinition($"SELECT TOP {max} * FROM c WHERE c.type = 'withdrawal' AND c.status = 'awaitingConfirmation' ORDER BY c.sortKey");
        return await db.Withdrawals.QueryAllAsync<WithdrawalDocument>(query, null, ct);
    }

    /// <summary>
    /// Keeps the payee's confirmation parameters of a pending transfer current (the provider may issue them after first
    /// accepting, and drops them once the payee has confirmed). Not a state change; a no-op once the withdrawal moved on.
    /// </summary>
    public async Task<WithdrawalDocument> SetConfirmationAsync(string id, int attempt, IReadOnlyDictionary<string, string>? confirmation, CancellationToken ct)
    {
        while (true)
        {
            var current = await FindAsync(id, ct) ?? throw new NotFoundException("res.withdrawal", id);
            if (current.Status != WithdrawalStatus.AwaitingConfirmation || current.Attempt != attempt || SameConfirmation(current.Confirmation, confirmation))
            {
                return current;
            }

            try
            {
                return (await db.Withdrawals.ReplaceItemAsync(current with { Confirmation = confirmation, ETag = null }, id, new PartitionKey(id),
                    new ItemRequestOptions { IfMatchEtag = current.ETag }, ct)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile: look again.
            }
        }
    }

    private static bool SameConfirmation(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        a is null || b is null ? a is null && b is null : a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

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
        var v = new Validator();
        var destination = ParseDestination(v, request.Destination);
        v.ThrowIfInvalid();
        if (request.AmountFen != existing.AmountFen || destination != existing.Destination
            || (request.BankCardId is not null && request.BankCardId != existing.Card?.CardId))
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
                next = next with
                {
                    ProviderReference = e.ProviderReference, PendingPosting = PostPaid, Confirmation = null,
                    Attempts = Finish(current, e.Attempt, "succeeded", e.ProviderReference, null, e.At),
                };
                break;
            case PayoutAttemptFailed e:
                note = e.Reason;
                next = next with { FailureReason = e.Reason, Confirmation = null, Attempts = Finish(current, e.Attempt, "failed", null, e.Reason, e.At) };
                break;
            case PayoutGivenUp e:
                note = e.Reason;
                next = next with
                {
                    FailureReason = e.Reason, PendingPosting = PostAbandoned, Confirmation = null,
                    Attempts = Finish(current, e.Attempt, "failed", null, e.Reason, e.At),
                };
                break;
            case PayoutAwaitingConfirmation e:
                note = $"attempt {e.Attempt} accepted by the provider ({e.ProviderReference}); awaiting the payee's confirmation";
                next = next with
                {
                    ProviderReference = e.ProviderReference, Confirmation = e.Confirmation,
                    Attempts = current.Attempts.Select(a => a.Attempt == e.Attempt ? a with { ProviderReference = e.ProviderReference } : a).ToArray(),
                };
                break;
        }

        return next with { History = [.. current.History, new WithdrawalHistoryEntry(Json(state.Status), @event.At, by, note)] };
    }

    private static IReadOnlyList<PayoutAttemptRecord> Finish(WithdrawalDocument current, int attempt, string outcome, string? reference, string? reason, DateTimeOffset at) =>
        current.Attempts.Select(a => a.Attempt == attempt ? a with { Outcome = outcome, ProviderReference = reference, Reason = reason, FinishedAt = at } : a).ToArray();

    private static string Json(WithdrawalStatus status) => WithdrawalView.Json(status);
}
