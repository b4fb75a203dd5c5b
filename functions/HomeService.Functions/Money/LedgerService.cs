using System.Net;
using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

public sealed record BalanceMismatch(string OwnerKey, long WalletAvailableFen, long WalletInTransitFen, long LedgerAvailableFen, long LedgerInTransitFen);

/// <summary>The result of re-deriving every balance from the stored transactions.</summary>
public sealed record LedgerCheck(int Transactions, int Incomplete, long TotalFen, IReadOnlyDictionary<string, long> Balances, IReadOnlyList<BalanceMismatch> Mismatches)
{
    public bool Balanced => TotalFen == 0 && Mismatches.Count == 0;
}

/// <summary>
/// Posts ledger transactions without transactional batches, exactly once each:
/// 1. create the transaction document under its idempotency key (a redelivery finds it: 409);
/// 2. apply it to each wallet it touches with an ETag-conditional replace that records the transaction
///    id (a retry after a crash between the steps sees it recorded and applies nothing);
/// 3. write the wallet's statement entry (create-if-absent) and the revenue day;
/// 4. mark the transaction complete. <see cref="RepairAsync"/> finishes any a crash left incomplete.
/// </summary>
public sealed class LedgerService(CosmosDb db, RevenueDays revenue, TimeProvider time, ILogger<LedgerService> logger)
{
    /// <summary>Posts <paramref name="transaction"/>; returns the stored one (which wins if the id was already used).</summary>
    public async Task<LedgerTransactionDocument> PostAsync(LedgerTransaction transaction, LedgerContext? context, CancellationToken ct)
    {
        var stored = await CreateOrReadAsync(LedgerTransactionDocument.From(transaction, context), ct);
        if (!stored.Complete)
        {
            await CompleteAsync(stored, ct);
        }

        return stored;
    }

    /// <summary>
    /// Applies a transaction to one wallet first, only if <paramref name="guard"/> accepts the wallet's
    /// current state (a withdrawal must be covered), then posts it. Returns the guard's refusal, if any.
    /// Two racing reservations decide on different wallet versions: only one replace wins.
    /// </summary>
    public async Task<WithdrawalError?> ReserveAsync(WalletOwner owner, LedgerTransaction transaction, LedgerContext context,
        Func<WalletState, WithdrawalError?> guard, CancellationToken ct)
    {
        var error = await ApplyToWalletAsync(owner, transaction, context, guard, ct);
        if (error is null)
        {
            await PostAsync(transaction, context, ct);
        }

        return error;
    }

    public async Task<LedgerTransactionDocument?> FindAsync(string transactionId, CancellationToken ct) =>
        (await db.Ledger.ReadOrNullAsync<LedgerTransactionDocument>(transactionId, transactionId, ct))?.Resource;

    public async Task<IReadOnlyList<LedgerTransactionDocument>> ForOrderAsync(string orderId, CancellationToken ct) =>
        await db.Ledger.QueryAllAsync<LedgerTransactionDocument>(
            new QueryDefinition("SELECT * FROM c WHERE c.type = 'transaction' AND c.orderId = @o").WithParameter("@o", orderId), null, ct);

    public async Task<WalletDocument> WalletAsync(WalletOwner owner, CancellationToken ct) =>
        (await db.Wallets.ReadOrNullAsync<WalletDocument>(WalletDocument.DocumentId, owner.Key, ct))?.Resource
        ?? new WalletDocument { OwnerKey = owner.Key };

    /// <summary>Finishes transactions left incomplete for longer than <paramref name="olderThan"/> (a crash mid-post).</summary>
    public async Task<int> RepairAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var cutoff = MoneyKeys.Instant(time.GetUtcNow() - olderThan);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'transaction' AND c.complete = false AND c.atKey < @cutoff")
            .WithParameter("@cutoff", cutoff);
        var incomplete = await db.Ledger.QueryAllAsync<LedgerTransactionDocument>(query, null, ct);
        foreach (var document in incomplete)
        {
            logger.LogWarning("Completing ledger transaction {TransactionId} left incomplete", document.Id);
            await CompleteAsync(document, ct);
        }

        return incomplete.Count;
    }

    /// <summary>
    /// Re-derives every balance from the stored transactions (<see cref="Balances.Derive"/>) and compares
    /// each wallet document with it. Reads the whole ledger: an operator check, not a request path.
    /// </summary>
    public async Task<LedgerCheck> CheckAsync(CancellationToken ct)
    {
        var documents = await db.Ledger.QueryAllByKeyAsync<LedgerTransactionDocument>("*", "c.type = 'transaction'", new Dictionary<string, object>(), "id", d => d.Id, ct);
        var derived = Balances.Derive(documents.Select(d => d.ToTransaction()));
        var wallets = await db.Wallets.QueryAllByKeyAsync<WalletDocument>("*", "c.type = 'wallet'", new Dictionary<string, object>(), "ownerKey", w => w.OwnerKey, ct);
        var owners = wallets.Select(w => w.OwnerKey)
            .Concat(derived.Accounts.Keys.Select(a => a.Owner?.Key).OfType<string>())
            .Distinct(StringComparer.Ordinal);
        var mismatches = new List<BalanceMismatch>();
        foreach (var key in owners)
        {
            var wallet = wallets.FirstOrDefault(w => w.OwnerKey == key) ?? new WalletDocument { OwnerKey = key };
            var (available, inTransit) = derived.WalletOf(MoneyKeys.Owner(key));
            if (wallet.AvailableFen != available || wallet.InTransitFen != inTransit)
            {
                mismatches.Add(new BalanceMismatch(key, wallet.AvailableFen, wallet.InTransitFen, available, inTransit));
            }
        }

        return new LedgerCheck(documents.Count, documents.Count(d => !d.Complete), derived.Total,
            derived.Accounts.ToDictionary(a => a.Key.Id, a => a.Value, StringComparer.Ordinal), mismatches);
    }

    private async Task<LedgerTransactionDocument> CreateOrReadAsync(LedgerTransactionDocument document, CancellationToken ct)
    {
        try
        {
            return (await db.Ledger.CreateItemAsync(document, new PartitionKey(document.Id), cancellationToken: ct)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await FindAsync(document.Id, ct) ?? throw new InvalidOperationException($"Transaction {document.Id} conflicted but cannot be read.");
            if (!SamePostings(existing, document))
            {
                // Same cause, different amounts: the first posting stands; the caller must not assume its own.
                logger.LogWarning("Transaction {TransactionId} was already posted with different postings; keeping the first", document.Id);
            }

            return existing;
        }
    }

    private async Task CompleteAsync(LedgerTransactionDocument document, CancellationToken ct)
    {
        var transaction = document.ToTransaction();
        var context = new LedgerContext(document.OrderId, document.WithdrawalId, document.Facts);
        foreach (var owner in LedgerTransactionDocument.OwnersOf(transaction))
        {
            await ApplyToWalletAsync(owner, transaction, context, guard: null, ct);
        }

        if (transaction.AmountFor(LedgerAccount.PlatformRevenue) != 0)
        {
            await revenue.ApplyAsync(transaction, ct);
        }

        // Same content with the flag set; a concurrent completer writes the same thing.
        await db.Ledger.ReplaceItemAsync(document with { Complete = true, CompletedAt = time.GetUtcNow(), ETag = null },
            document.Id, new PartitionKey(document.Id), cancellationToken: ct);
    }

    private async Task<WithdrawalError?> ApplyToWalletAsync(WalletOwner owner, LedgerTransaction transaction, LedgerContext? context,
        Func<WalletState, WithdrawalError?>? guard, CancellationToken ct)
    {
        AppliedTransaction applied;
        while (true)
        {
            var current = (await db.Wallets.ReadOrNullAsync<WalletDocument>(WalletDocument.DocumentId, owner.Key, ct))?.Resource;
            var recorded = current?.Recent.FirstOrDefault(r => r.TransactionId == transaction.Id);
            if (recorded is not null)
            {
                applied = recorded;
                break;
            }

            // Older than the recent list: its statement entry exists (it is written right after the wallet).
            if (current is not null &&
                await db.Wallets.ReadOrNullAsync<WalletEntryDocument>(transaction.Id, owner.Key, ct) is not null)
            {
                return null;
            }

            var wallet = current ?? new WalletDocument { OwnerKey = owner.Key };
            var state = wallet.ToState();
            if (guard?.Invoke(state) is { } refusal)
            {
                return refusal;
            }

            var next = state.Apply(transaction);
            applied = new AppliedTransaction(transaction.Id, next.Version, next.AvailableFen, next.InTransitFen);
            var earned = transaction.Kind is LedgerTransactionKinds.Settlement or LedgerTransactionKinds.RefundAfterSettlement
                ? transaction.AmountFor(LedgerAccount.WalletOf(owner))
                : 0;
            var updated = wallet with
            {
                AvailableFen = next.AvailableFen,
                InTransitFen = next.InTransitFen,
                Version = next.Version,
                TotalEarnedFen = wallet.TotalEarnedFen + earned,
                Recent = [.. wallet.Recent.TakeLast(WalletDocument.RecentLimit - 1), applied],
                UpdatedAt = time.GetUtcNow(),
                ETag = null,
            };
            try
            {
                if (current is null)
                {
                    await db.Wallets.CreateItemAsync(updated, new PartitionKey(owner.Key), cancellationToken: ct);
                }
                else
                {
                    await db.Wallets.ReplaceItemAsync(updated, WalletDocument.DocumentId, new PartitionKey(owner.Key),
                        new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
                }

                break;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                // Another posting changed the wallet first: read again and decide again.
            }
        }

        await WriteEntryAsync(owner, transaction, context, applied, ct);
        return null;
    }

    private async Task WriteEntryAsync(WalletOwner owner, LedgerTransaction transaction, LedgerContext? context, AppliedTransaction applied, CancellationToken ct)
    {
        var entry = new WalletEntryDocument
        {
            Id = transaction.Id,
            OwnerKey = owner.Key,
            Kind = transaction.Kind,
            At = transaction.At,
            AtKey = MoneyKeys.Instant(transaction.At),
            SortKey = MoneyKeys.Version(applied.Version),
            AmountFen = transaction.AmountFor(LedgerAccount.WalletOf(owner)),
            InTransitAmountFen = transaction.AmountFor(LedgerAccount.InTransitOf(owner)),
            BalanceFen = applied.AvailableFen,
            InTransitBalanceFen = applied.InTransitFen,
            OrderId = context?.OrderId,
            WithdrawalId = context?.WithdrawalId,
        };
        try
        {
            await db.Wallets.CreateItemAsync(entry, new PartitionKey(owner.Key), cancellationToken: ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Written by an earlier attempt.
        }
    }

    private static bool SamePostings(LedgerTransactionDocument a, LedgerTransactionDocument b) =>
        a.Postings.OrderBy(p => p.Account, StringComparer.Ordinal).SequenceEqual(b.Postings.OrderBy(p => p.Account, StringComparer.Ordinal));
}
