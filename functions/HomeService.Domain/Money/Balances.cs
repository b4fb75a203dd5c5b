namespace HomeService.Domain.Money;

/// <summary>Balances recomputed from postings; the source of truth that running totals are checked against.</summary>
public sealed class LedgerBalances
{
    private readonly Dictionary<LedgerAccount, long> _balances;

    internal LedgerBalances(Dictionary<LedgerAccount, long> balances) => _balances = balances;

    public long this[LedgerAccount account] => _balances.GetValueOrDefault(account);

    public IReadOnlyDictionary<LedgerAccount, long> Accounts => _balances;

    /// <summary>Always 0 for a ledger built from balanced transactions.</summary>
    public long Total => _balances.Values.Sum();

    public (long AvailableFen, long InTransitFen) WalletOf(WalletOwner owner) =>
        (this[LedgerAccount.WalletOf(owner)], this[LedgerAccount.InTransitOf(owner)]);
}

public static class Balances
{
    /// <summary>Sums postings per account. Duplicate transaction ids mean the store broke idempotency, so they throw.</summary>
    public static LedgerBalances Derive(IEnumerable<LedgerTransaction> transactions)
    {
        var balances = new Dictionary<LedgerAccount, long>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var transaction in transactions)
        {
            if (!ids.Add(transaction.Id))
                throw new InvalidOperationException($"Transaction {transaction.Id} appears twice in the ledger.");
            foreach (var posting in transaction.Postings)
                balances[posting.Account] = checked(balances.GetValueOrDefault(posting.Account) + posting.AmountFen);
        }
        return new LedgerBalances(balances);
    }
}

public sealed record StatementLine(string TransactionId, DateTimeOffset At, string Kind, long AmountFen, long BalanceFen);

/// <summary>An account's movements in [from, to) with opening, running and closing balances.</summary>
public sealed record Statement(LedgerAccount Account, DateTimeOffset From, DateTimeOffset To, long OpeningFen, IReadOnlyList<StatementLine> Lines, long ClosingFen)
{
    public static Statement For(LedgerAccount account, IEnumerable<LedgerTransaction> transactions, DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) throw new ArgumentException("Statement period ends before it starts.", nameof(to));
        long balance = 0;
        long opening = 0;
        var lines = new List<StatementLine>();
        foreach (var transaction in transactions.OrderBy(t => t.At).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            if (transaction.At >= to) break;
            var amount = transaction.AmountFor(account);
            if (amount == 0) continue;
            balance += amount;
            if (transaction.At < from) opening = balance;
            else lines.Add(new StatementLine(transaction.Id, transaction.At, transaction.Kind, amount, balance));
        }
        return new Statement(account, from, to, opening, lines, balance);
    }
}
