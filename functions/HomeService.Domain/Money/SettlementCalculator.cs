namespace HomeService.Domain.Money;

/// <summary>How the commission is rounded to whole fen.</summary>
public enum RoundingMode
{
    /// <summary>Default: commission rounds down, so the platform never takes a fen too many.</summary>
    PlatformDisfavour,
    /// <summary>Commission rounds half up (0.5 fen → 1 fen).</summary>
    HalfUp,
    /// <summary>Commission rounds up.</summary>
    PlatformFavour,
}

/// <summary>
/// What an order settles with. Rates are basis points (1 bp = 0.01 %). The merchant rate applies to
/// the remainder after commission: the merchant takes its cut of what the worker earned, never of
/// the platform's commission.
/// </summary>
public sealed record SettlementInput(
    string OrderId,
    long PaidFen,
    long RefundedFen,
    int CommissionRateBps,
    string WorkerId,
    string? MerchantId = null,
    int MerchantRateBps = 0);

/// <summary>The split and its ledger transaction; <see cref="Transaction"/> is null when refunds left nothing to settle.</summary>
public sealed record Settlement(long SettledFen, long CommissionFen, long MerchantFen, long WorkerFen, LedgerTransaction? Transaction);

public static class SettlementCalculator
{
    public const int MinCommissionRateBps = 500;
    public const int MaxCommissionRateBps = 1500;
    public const int MaxMerchantRateBps = 10_000;

    public static string TransactionId(string orderId) => $"settle:{orderId}";

    /// <summary>Validates the input, listing every problem.</summary>
    public static IReadOnlyList<string> Validate(SettlementInput input)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(input.OrderId)) errors.Add("OrderId is required.");
        if (string.IsNullOrWhiteSpace(input.WorkerId) || input.WorkerId.Contains(':')) errors.Add("WorkerId is required and must not contain ':'.");
        if (input.PaidFen <= 0) errors.Add("PaidFen must be positive.");
        if (input.RefundedFen < 0) errors.Add("RefundedFen must not be negative.");
        if (input.RefundedFen > input.PaidFen) errors.Add("RefundedFen must not exceed PaidFen.");
        if (input.CommissionRateBps is < MinCommissionRateBps or > MaxCommissionRateBps)
            errors.Add($"CommissionRateBps must be between {MinCommissionRateBps} and {MaxCommissionRateBps}.");
        if (input.MerchantId is null && input.MerchantRateBps != 0) errors.Add("MerchantRateBps needs a MerchantId.");
        if (input.MerchantId is not null && (string.IsNullOrWhiteSpace(input.MerchantId) || input.MerchantId.Contains(':')))
            errors.Add("MerchantId must be non-empty and must not contain ':'.");
        if (input.MerchantRateBps is < 0 or > MaxMerchantRateBps) errors.Add($"MerchantRateBps must be between 0 and {MaxMerchantRateBps}.");
        return errors;
    }

    /// <summary>
    /// Splits what remains in clearing (paid − refunded before settlement) into commission, merchant
    /// and worker shares. Commission rounds per <paramref name="rounding"/>; the merchant share rounds
    /// down (in the worker's favour); the worker receives the exact remainder, so no fen is lost or made.
    /// </summary>
    public static Settlement Settle(SettlementInput input, DateTimeOffset at, RoundingMode rounding = RoundingMode.PlatformDisfavour)
    {
        var errors = Validate(input);
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(input));

        var settled = input.PaidFen - input.RefundedFen;
        var commission = Share(settled, input.CommissionRateBps, rounding);
        var merchant = input.MerchantId is null ? 0 : Share(settled - commission, input.MerchantRateBps, RoundingMode.PlatformDisfavour);
        var worker = settled - commission - merchant;

        if (settled == 0) return new Settlement(0, 0, 0, 0, null);

        var workerOwner = WalletOwner.Worker(input.WorkerId);
        var transfers = new List<(LedgerAccount, LedgerAccount, long)>
        {
            (LedgerAccount.CustomerPaymentsClearing, LedgerAccount.PlatformRevenue, commission),
            (LedgerAccount.CustomerPaymentsClearing, LedgerAccount.WalletOf(workerOwner), worker),
        };
        if (input.MerchantId is not null)
            transfers.Add((LedgerAccount.CustomerPaymentsClearing, LedgerAccount.MerchantWallet(input.MerchantId), merchant));

        var transaction = LedgerTransaction.FromTransfers(
            TransactionId(input.OrderId), at, LedgerTransactionKinds.Settlement, [.. transfers]);
        return new Settlement(settled, commission, merchant, worker, transaction);
    }

    /// <summary>amount × bps / 10 000 rounded to whole fen.</summary>
    public static long Share(long amountFen, int bps, RoundingMode rounding)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountFen);
        ArgumentOutOfRangeException.ThrowIfNegative(bps);
        var numerator = (Int128)amountFen * bps;
        var quotient = numerator / 10_000;
        var remainder = numerator % 10_000;
        var rounded = rounding switch
        {
            RoundingMode.PlatformDisfavour => quotient,
            RoundingMode.HalfUp => remainder >= 5_000 ? quotient + 1 : quotient,
            RoundingMode.PlatformFavour => remainder > 0 ? quotient + 1 : quotient,
            _ => throw new ArgumentOutOfRangeException(nameof(rounding)),
        };
        return (long)rounded;
    }
}
