using System.Text.Json.Serialization;

namespace HomeService.Domain.Money;

public enum LedgerAccountKind
{
    /// <summary>Customer money received for orders and not yet settled or refunded.</summary>
    CustomerPaymentsClearing,
    /// <summary>Platform commission.</summary>
    PlatformRevenue,
    WorkerWallet,
    MerchantWallet,
    /// <summary>Refunds owed to customers until the provider confirms them.</summary>
    RefundsPayable,
    /// <summary>Withdrawals accepted from a wallet and not yet paid out.</summary>
    WithdrawalsInTransit,
    PayoutFeesRevenue,
    /// <summary>Money at the bank / payment provider: the only asset account.</summary>
    ProviderCash,
}

public enum WalletOwnerKind { Worker, Merchant }

/// <summary>Who a wallet belongs to; <see cref="Key"/> is e.g. <c>worker:w-42</c>.</summary>
public sealed record WalletOwner
{
    public WalletOwner(WalletOwnerKind kind, string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Contains(':'))
            throw new ArgumentException("Owner id must be non-empty and contain no ':'.", nameof(id));
        Kind = kind;
        Id = id;
    }

    public WalletOwnerKind Kind { get; }
    public string Id { get; }
    public string Key => $"{(Kind == WalletOwnerKind.Worker ? "worker" : "merchant")}:{Id}";

    public static WalletOwner Worker(string id) => new(WalletOwnerKind.Worker, id);
    public static WalletOwner Merchant(string id) => new(WalletOwnerKind.Merchant, id);
    public override string ToString() => Key;
}

/// <summary>
/// A ledger account. Balances are credit-normal: positive means money the platform holds for or owes
/// to the account (wallets, clearing, revenue); <see cref="LedgerAccountKind.ProviderCash"/> is the
/// one asset account and is negative while the platform holds money. All balances sum to zero.
/// </summary>
[JsonConverter(typeof(LedgerAccountJsonConverter))]
public sealed record LedgerAccount
{
    private LedgerAccount(LedgerAccountKind kind, WalletOwner? owner)
    {
        Kind = kind;
        Owner = owner;
    }

    public LedgerAccountKind Kind { get; }
    public WalletOwner? Owner { get; }

    /// <summary>Stable id used in storage and statements.</summary>
    public string Id => Kind switch
    {
        LedgerAccountKind.CustomerPaymentsClearing => "clearing:customer-payments",
        LedgerAccountKind.PlatformRevenue => "platform:commission",
        LedgerAccountKind.RefundsPayable => "refunds:payable",
        LedgerAccountKind.PayoutFeesRevenue => "platform:payout-fees",
        LedgerAccountKind.ProviderCash => "cash:provider",
        LedgerAccountKind.WorkerWallet or LedgerAccountKind.MerchantWallet => $"{Owner!.Key}:wallet",
        LedgerAccountKind.WithdrawalsInTransit => $"{Owner!.Key}:in-transit",
        _ => throw new InvalidOperationException($"Unknown account kind {Kind}."),
    };

    public static LedgerAccount CustomerPaymentsClearing { get; } = new(LedgerAccountKind.CustomerPaymentsClearing, null);
    public static LedgerAccount PlatformRevenue { get; } = new(LedgerAccountKind.PlatformRevenue, null);
    public static LedgerAccount RefundsPayable { get; } = new(LedgerAccountKind.RefundsPayable, null);
    public static LedgerAccount PayoutFeesRevenue { get; } = new(LedgerAccountKind.PayoutFeesRevenue, null);
    public static LedgerAccount ProviderCash { get; } = new(LedgerAccountKind.ProviderCash, null);

    public static LedgerAccount WalletOf(WalletOwner owner) => new(
        owner.Kind == WalletOwnerKind.Worker ? LedgerAccountKind.WorkerWallet : LedgerAccountKind.MerchantWallet, owner);
    public static LedgerAccount WorkerWallet(string workerId) => WalletOf(WalletOwner.Worker(workerId));
    public static LedgerAccount MerchantWallet(string merchantId) => WalletOf(WalletOwner.Merchant(merchantId));
    public static LedgerAccount InTransitOf(WalletOwner owner) => new(LedgerAccountKind.WithdrawalsInTransit, owner);

    /// <summary>Parses an <see cref="Id"/> back into an account.</summary>
    public static LedgerAccount Parse(string id)
    {
        foreach (var fixedAccount in new[] { CustomerPaymentsClearing, PlatformRevenue, RefundsPayable, PayoutFeesRevenue, ProviderCash })
            if (fixedAccount.Id == id) return fixedAccount;

        var parts = id.Split(':');
        if (parts.Length == 3 && parts[1].Length > 0)
        {
            WalletOwner? owner = parts[0] switch
            {
                "worker" => WalletOwner.Worker(parts[1]),
                "merchant" => WalletOwner.Merchant(parts[1]),
                _ => null,
            };
            if (owner is not null && parts[2] == "wallet") return WalletOf(owner);
            if (owner is not null && parts[2] == "in-transit") return InTransitOf(owner);
        }
        throw new FormatException($"'{id}' is not a ledger account id.");
    }

    public override string ToString() => Id;
}
