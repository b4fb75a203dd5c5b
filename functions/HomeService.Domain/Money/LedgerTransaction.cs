namespace HomeService.Domain.Money;

/// <summary>One leg of a transaction: a positive amount raises the account's (credit-normal) balance.</summary>
public readonly record struct Posting(LedgerAccount Account, long AmountFen);

/// <summary>Well-known <see cref="LedgerTransaction.Kind"/> values.</summary>
public static class LedgerTransactionKinds
{
    public const string PaymentCaptured = "payment-captured";
    public const string RefundBeforeSettlement = "refund-before-settlement";
    public const string RefundAfterSettlement = "refund-after-settlement";
    public const string RefundPaidOut = "refund-paid-out";
    public const string Settlement = "settlement";
    public const string WithdrawalRequested = "withdrawal-requested";
    public const string WithdrawalRejected = "withdrawal-rejected";
    public const string PayoutSucceeded = "payout-succeeded";
    public const string PayoutReturned = "payout-returned";
    public const string PayoutAbandoned = "payout-abandoned";
    public const string ReversalSuffix = "-reversal";
}

/// <summary>
/// A balanced, immutable double-entry transaction. <see cref="Id"/> is the idempotency key derived
/// from the cause (e.g. <c>settle:{orderId}</c>): storing it under that id makes a re-delivered
/// event a no-op. Corrections are new transactions (<see cref="Reverse"/>), never edits.
/// </summary>
public sealed class LedgerTransaction
{
    public LedgerTransaction(string id, DateTimeOffset at, string kind, IReadOnlyList<Posting> postings, string? reversesId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(postings);
        if (at.Offset != TimeSpan.Zero)
            throw new ArgumentException("Transaction time must be UTC.", nameof(at));
        if (postings.Count < 2)
            throw new ArgumentException($"Transaction {id} needs at least two postings.", nameof(postings));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        long sum = 0;
        foreach (var posting in postings)
        {
            ArgumentNullException.ThrowIfNull(posting.Account, nameof(postings));
            if (posting.AmountFen == 0)
                throw new ArgumentException($"Transaction {id} has a zero posting to {posting.Account}.", nameof(postings));
            if (!seen.Add(posting.Account.Id))
                throw new ArgumentException($"Transaction {id} posts to {posting.Account} more than once.", nameof(postings));
            sum = checked(sum + posting.AmountFen);
        }
        if (sum != 0)
            throw new ArgumentException($"Transaction {id} is unbalanced by {sum} fen.", nameof(postings));

        Id = id;
        At = at;
        Kind = kind;
        Postings = postings.ToArray().AsReadOnly();
        ReversesId = reversesId;
    }

    public string Id { get; }
    public DateTimeOffset At { get; }
    public string Kind { get; }
    public IReadOnlyList<Posting> Postings { get; }
    public string? ReversesId { get; }

    /// <summary>Amount posted to <paramref name="account"/> by this transaction (0 when untouched).</summary>
    public long AmountFor(LedgerAccount account)
    {
        foreach (var posting in Postings)
            if (posting.Account == account) return posting.AmountFen;
        return 0;
    }

    /// <summary>The transaction that cancels this one exactly.</summary>
    public LedgerTransaction Reverse(string id, DateTimeOffset at) =>
        new(id, at, Kind + LedgerTransactionKinds.ReversalSuffix,
            Postings.Select(p => p with { AmountFen = -p.AmountFen }).ToArray(), Id);

    /// <summary>
    /// Builds a transaction from transfers (from → to; a negative amount moves the other way),
    /// merging legs per account and dropping zeros.
    /// </summary>
    public static LedgerTransaction FromTransfers(string id, DateTimeOffset at, string kind,
        params (LedgerAccount From, LedgerAccount To, long AmountFen)[] transfers)
    {
        var totals = new Dictionary<LedgerAccount, long>();
        var order = new List<LedgerAccount>();
        void Add(LedgerAccount account, long amount)
        {
            if (!totals.TryGetValue(account, out var current)) order.Add(account);
            totals[account] = checked(current + amount);
        }
        foreach (var (from, to, amount) in transfers)
        {
            Add(from, -amount);
            Add(to, amount);
        }
        var postings = order.Where(a => totals[a] != 0).Select(a => new Posting(a, totals[a])).ToArray();
        return new LedgerTransaction(id, at, kind, postings);
    }
}
