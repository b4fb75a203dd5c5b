namespace HomeService.Domain.Money;

/// <summary>
/// Factories for every movement of money. Each id is the idempotency key of its cause; movements
/// that must never both happen share an id prefix (a refund is recorded once whether it happens
/// before or after settlement; a withdrawal's money returns to the wallet once, by rejection or by
/// abandoned payout).
/// </summary>
public static class MoneyFlows
{
    public static string RefundTransactionId(string orderId, string refundId) => $"refund:{orderId}:{refundId}";
    public static string WithdrawalTransactionId(string withdrawalId) => $"withdraw:{withdrawalId}";
    public static string WithdrawalReturnTransactionId(string withdrawalId) => $"withdraw-returned:{withdrawalId}";

    /// <summary>The provider confirmed the customer's payment: cash → clearing.</summary>
    public static LedgerTransaction PaymentCaptured(string orderId, long amountFen, DateTimeOffset at)
    {
        RequirePositive(amountFen, nameof(amountFen));
        return LedgerTransaction.FromTransfers($"pay:{orderId}", at, LedgerTransactionKinds.PaymentCaptured,
            (LedgerAccount.ProviderCash, LedgerAccount.CustomerPaymentsClearing, amountFen));
    }

    /// <summary>Refund of money still in clearing: clearing → refunds payable.</summary>
    public static LedgerTransaction RefundBeforeSettlement(string orderId, string refundId, long amountFen, DateTimeOffset at)
    {
        RequirePositive(amountFen, nameof(amountFen));
        return LedgerTransaction.FromTransfers(RefundTransactionId(orderId, refundId), at, LedgerTransactionKinds.RefundBeforeSettlement,
            (LedgerAccount.CustomerPaymentsClearing, LedgerAccount.RefundsPayable, amountFen));
    }

    /// <summary>
    /// Refund after settlement: takes the money back from commission, merchant and worker in
    /// proportion to the settlement. The platform's part rounds up (it never keeps a fen too many),
    /// the merchant's rounds down and the worker's takes the remainder. Proportions are computed on
    /// the cumulative refunded amount so a series of partial refunds never over-reverses a share.
    /// Wallets may go negative; later income repays them.
    /// </summary>
    public static LedgerTransaction RefundAfterSettlement(string orderId, string refundId, long amountFen,
        LedgerTransaction settlement, long previouslyRefundedAfterSettlementFen, DateTimeOffset at)
    {
        RequirePositive(amountFen, nameof(amountFen));
        ArgumentOutOfRangeException.ThrowIfNegative(previouslyRefundedAfterSettlementFen);
        if (settlement.Kind != LedgerTransactionKinds.Settlement)
            throw new ArgumentException("Not a settlement transaction.", nameof(settlement));

        var shares = settlement.Postings.Where(p => p.AmountFen > 0).ToList();
        var settled = shares.Sum(p => p.AmountFen);
        var cumulative = checked(previouslyRefundedAfterSettlementFen + amountFen);
        if (cumulative > settled)
            throw new ArgumentException($"Refunds of {cumulative} fen exceed the {settled} fen settled.", nameof(amountFen));

        var before = Allocate(shares, settled, previouslyRefundedAfterSettlementFen);
        var after = Allocate(shares, settled, cumulative);
        var transfers = shares.Select(s => (s.Account, LedgerAccount.RefundsPayable, after[s.Account] - before[s.Account])).ToArray();
        return LedgerTransaction.FromTransfers(RefundTransactionId(orderId, refundId), at, LedgerTransactionKinds.RefundAfterSettlement, transfers);
    }

    /// <summary>The provider confirmed the refund reached the customer: refunds payable → cash.</summary>
    public static LedgerTransaction RefundPaidOut(string orderId, string refundId, long amountFen, DateTimeOffset at)
    {
        RequirePositive(amountFen, nameof(amountFen));
        return LedgerTransaction.FromTransfers($"refund-paid:{orderId}:{refundId}", at, LedgerTransactionKinds.RefundPaidOut,
            (LedgerAccount.RefundsPayable, LedgerAccount.ProviderCash, amountFen));
    }

    /// <summary>
    /// A withdrawal of <paramref name="amountFen"/> leaves the wallet in full; the fee is taken out of
    /// it, so the payee receives amount − fee (what goes in transit).
    /// </summary>
    public static LedgerTransaction WithdrawalRequested(string withdrawalId, WalletOwner owner, long amountFen, long feeFen, DateTimeOffset at)
    {
        RequireWithdrawal(amountFen, feeFen);
        var wallet = LedgerAccount.WalletOf(owner);
        return LedgerTransaction.FromTransfers(WithdrawalTransactionId(withdrawalId), at, LedgerTransactionKinds.WithdrawalRequested,
            (wallet, LedgerAccount.InTransitOf(owner), amountFen - feeFen),
            (wallet, LedgerAccount.PayoutFeesRevenue, feeFen));
    }

    /// <summary>An admin rejected the withdrawal: net amount and fee go back to the wallet.</summary>
    public static LedgerTransaction WithdrawalRejected(string withdrawalId, WalletOwner owner, long amountFen, long feeFen, DateTimeOffset at) =>
        ReturnWithdrawal(withdrawalId, owner, amountFen, feeFen, at, LedgerTransactionKinds.WithdrawalRejected);

    /// <summary>Payouts failed for good (retries exhausted): net amount and fee go back to the wallet.</summary>
    public static LedgerTransaction PayoutAbandoned(string withdrawalId, WalletOwner owner, long amountFen, long feeFen, DateTimeOffset at) =>
        ReturnWithdrawal(withdrawalId, owner, amountFen, feeFen, at, LedgerTransactionKinds.PayoutAbandoned);

    /// <summary>
    /// The payout provider paid the withdrawal: in transit → cash. A failed attempt posts nothing
    /// (the money stays in transit for the next attempt).
    /// </summary>
    public static LedgerTransaction PayoutSucceeded(string withdrawalId, int attempt, WalletOwner owner, long netFen, DateTimeOffset at)
    {
        RequirePositive(netFen, nameof(netFen));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attempt);
        return LedgerTransaction.FromTransfers($"payout:{withdrawalId}:{attempt}", at, LedgerTransactionKinds.PayoutSucceeded,
            (LedgerAccount.InTransitOf(owner), LedgerAccount.ProviderCash, netFen));
    }

    /// <summary>A payout reported paid bounced (e.g. closed bank account): cash → in transit, ready for a retry.</summary>
    public static LedgerTransaction PayoutReturned(string withdrawalId, int attempt, WalletOwner owner, long netFen, DateTimeOffset at)
    {
        RequirePositive(netFen, nameof(netFen));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attempt);
        return LedgerTransaction.FromTransfers($"payout-returned:{withdrawalId}:{attempt}", at, LedgerTransactionKinds.PayoutReturned,
            (LedgerAccount.ProviderCash, LedgerAccount.InTransitOf(owner), netFen));
    }

    private static LedgerTransaction ReturnWithdrawal(string withdrawalId, WalletOwner owner, long amountFen, long feeFen, DateTimeOffset at, string kind)
    {
        RequireWithdrawal(amountFen, feeFen);
        var wallet = LedgerAccount.WalletOf(owner);
        return LedgerTransaction.FromTransfers(WithdrawalReturnTransactionId(withdrawalId), at, kind,
            (LedgerAccount.InTransitOf(owner), wallet, amountFen - feeFen),
            (LedgerAccount.PayoutFeesRevenue, wallet, feeFen));
    }

    /// <summary>Splits <paramref name="refunded"/> over the shares; platform rounds up, merchants down, worker takes the rest.</summary>
    private static Dictionary<LedgerAccount, long> Allocate(List<Posting> shares, long settled, long refunded)
    {
        var result = new Dictionary<LedgerAccount, long>();
        long assigned = 0;
        LedgerAccount? residual = shares.Select(s => s.Account).FirstOrDefault(a => a.Kind == LedgerAccountKind.WorkerWallet)
            ?? shares.Select(s => s.Account).FirstOrDefault(a => a.Kind != LedgerAccountKind.PlatformRevenue)
            ?? shares[0].Account;
        foreach (var share in shares)
        {
            if (share.Account == residual) continue;
            var numerator = (Int128)share.AmountFen * refunded;
            var part = (long)(numerator / settled);
            if (share.Account.Kind == LedgerAccountKind.PlatformRevenue && numerator % settled != 0) part++;
            result[share.Account] = part;
            assigned += part;
        }
        result[residual] = refunded - assigned;
        return result;
    }

    private static void RequirePositive(long amount, string name)
    {
        if (amount <= 0) throw new ArgumentOutOfRangeException(name, amount, "Amount must be positive.");
    }

    private static void RequireWithdrawal(long amountFen, long feeFen)
    {
        RequirePositive(amountFen, nameof(amountFen));
        ArgumentOutOfRangeException.ThrowIfNegative(feeFen);
        if (feeFen >= amountFen) throw new ArgumentOutOfRangeException(nameof(feeFen), feeFen, "Fee must be less than the amount.");
    }
}
