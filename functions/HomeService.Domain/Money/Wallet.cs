namespace HomeService.Domain.Money;

public enum WithdrawalError
{
    /// <summary>Amount not positive, fee negative, or fee not below the amount.</summary>
    InvalidAmount,
    BelowMinimum,
    InsufficientFunds,
}

public sealed record WithdrawalRequestResult(WalletState? State, WithdrawalError? Error)
{
    public bool IsSuccess => Error is null;
}

/// <summary>
/// The wallet document's running totals. Every change bumps <see cref="Version"/>; the app stores the
/// state with an ETag-conditional replace, so two racing withdrawals cannot both spend the same fen:
/// the loser re-reads and re-decides. <see cref="Balances.Derive"/> recomputes the same numbers
/// from postings to check the running totals.
/// </summary>
public sealed record WalletState(WalletOwner Owner, long AvailableFen, long InTransitFen, long Version)
{
    public static WalletState Empty(WalletOwner owner) => new(owner, 0, 0, 0);

    /// <summary>Checks a withdrawal against the available balance; the fee is part of the amount.</summary>
    public WithdrawalRequestResult ApplyWithdrawalRequest(long amountFen, long feeFen, long minimumAmountFen)
    {
        if (amountFen <= 0 || feeFen < 0 || feeFen >= amountFen) return new(null, WithdrawalError.InvalidAmount);
        if (amountFen < minimumAmountFen) return new(null, WithdrawalError.BelowMinimum);
        if (amountFen > AvailableFen) return new(null, WithdrawalError.InsufficientFunds);
        return new(this with
        {
            AvailableFen = AvailableFen - amountFen,
            InTransitFen = InTransitFen + (amountFen - feeFen),
            Version = Version + 1,
        }, null);
    }

    /// <summary>Applies the postings of <paramref name="transaction"/> that touch this owner's wallet or in-transit account.</summary>
    public WalletState Apply(LedgerTransaction transaction)
    {
        var available = transaction.AmountFor(LedgerAccount.WalletOf(Owner));
        var inTransit = transaction.AmountFor(LedgerAccount.InTransitOf(Owner));
        if (available == 0 && inTransit == 0) return this;
        return this with
        {
            AvailableFen = checked(AvailableFen + available),
            InTransitFen = checked(InTransitFen + inTransit),
            Version = Version + 1,
        };
    }
}
