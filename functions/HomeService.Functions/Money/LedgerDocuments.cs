using System.Globalization;
using System.Text.Json.Serialization;
using HomeService.Domain.Money;

namespace HomeService.Functions.Money;

public sealed record PostingDocument(string Account, long AmountFen);

/// <summary>
/// One ledger transaction, stored once in `ledger` (partition /id) under its idempotency key.
/// <see cref="Complete"/> turns true once every wallet and the revenue day have applied it; the repair
/// sweep finishes the ones a crash left incomplete.
/// </summary>
public sealed record LedgerTransactionDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "transaction";
    public required string Kind { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string AtKey { get; init; }
    public required IReadOnlyList<PostingDocument> Postings { get; init; }
    public string? ReversesId { get; init; }
    /// <summary>Wallet owners (e.g. <c>worker:w1</c>) whose wallet or in-transit account it touches.</summary>
    public required IReadOnlyList<string> Owners { get; init; }
    public string? OrderId { get; init; }
    public string? WithdrawalId { get; init; }
    /// <summary>Inputs worth showing later (settlement: paid, refunded, rates).</summary>
    public IReadOnlyDictionary<string, long>? Facts { get; init; }
    public bool Complete { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public LedgerTransaction ToTransaction() => new(Id, At, Kind,
        Postings.Select(p => new Posting(LedgerAccount.Parse(p.Account), p.AmountFen)).ToArray(), ReversesId);

    public static LedgerTransactionDocument From(LedgerTransaction transaction, LedgerContext? context) => new()
    {
        Id = transaction.Id,
        Kind = transaction.Kind,
        At = transaction.At,
        AtKey = MoneyKeys.Instant(transaction.At),
        Postings = transaction.Postings.Select(p => new PostingDocument(p.Account.Id, p.AmountFen)).ToArray(),
        ReversesId = transaction.ReversesId,
        Owners = OwnersOf(transaction).Select(o => o.Key).ToArray(),
        OrderId = context?.OrderId,
        WithdrawalId = context?.WithdrawalId,
        Facts = context?.Facts,
    };

    public static IReadOnlyList<WalletOwner> OwnersOf(LedgerTransaction transaction) => transaction.Postings
        .Select(p => p.Account.Owner)
        .OfType<WalletOwner>()
        .Distinct()
        .ToArray();
}

/// <summary>What a transaction is about, for statements and look-ups; not part of its balance.</summary>
public sealed record LedgerContext(string? OrderId = null, string? WithdrawalId = null, IReadOnlyDictionary<string, long>? Facts = null);

/// <summary>A transaction a wallet has applied: the wallet's version and balances right after it.</summary>
public sealed record AppliedTransaction(string TransactionId, long Version, long AvailableFen, long InTransitFen);

/// <summary>
/// An owner's wallet in `wallets` (partition /ownerKey, id <c>wallet</c>): running totals checked
/// against the ledger, changed only by ETag-conditional replaces. <see cref="Recent"/> remembers the
/// last applied transactions so a retried posting is recognised without another read.
/// </summary>
public sealed record WalletDocument
{
    public const string DocumentId = "wallet";
    public const int RecentLimit = 100;

    public string Id { get; init; } = DocumentId;
    public required string OwnerKey { get; init; }
    public string Type { get; init; } = "wallet";
    public long AvailableFen { get; init; }
    public long InTransitFen { get; init; }
    /// <summary>Settlement income net of refunds after settlement.</summary>
    public long TotalEarnedFen { get; init; }
    public long Version { get; init; }
    public IReadOnlyList<AppliedTransaction> Recent { get; init; } = [];
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public WalletState ToState() => new(MoneyKeys.Owner(OwnerKey), AvailableFen, InTransitFen, Version);
}

/// <summary>A statement line in the owner's `wallets` partition (id = transaction id): what moved and the balances after it.</summary>
public sealed record WalletEntryDocument
{
    public required string Id { get; init; }
    public required string OwnerKey { get; init; }
    public string Type { get; init; } = "entry";
    public required string Kind { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string AtKey { get; init; }
    /// <summary>The wallet version after this entry, fixed-width: keyset paging key and application order.</summary>
    public required string SortKey { get; init; }
    public required long AmountFen { get; init; }
    public required long InTransitAmountFen { get; init; }
    public required long BalanceFen { get; init; }
    public required long InTransitBalanceFen { get; init; }
    public string? OrderId { get; init; }
    public string? WithdrawalId { get; init; }
}

public static class MoneyKeys
{
    /// <summary>China Standard Time (no DST): the business day of revenue reports.</summary>
    public static readonly TimeSpan BusinessOffset = TimeSpan.FromHours(8);

    public static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    public static string Version(long version) => version.ToString("D12", CultureInfo.InvariantCulture);

    public static string BusinessDay(DateTimeOffset at) =>
        at.ToOffset(BusinessOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static WalletOwner Owner(string key)
    {
        var parts = key.Split(':', 2);
        return parts[0] switch
        {
            "worker" => WalletOwner.Worker(parts[1]),
            "merchant" => WalletOwner.Merchant(parts[1]),
            _ => throw new FormatException($"'{key}' is not a wallet owner key."),
        };
    }
}
