using HomeService.Domain.Money;

namespace HomeService.Domain.Tests.Money;

public class WalletStateTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly WalletOwner Worker = WalletOwner.Worker("w1");

    private static WalletState WithAvailable(long fen) => new(Worker, fen, 0, 3);

    [Fact]
    public void Withdrawal_within_balance_moves_money_in_transit_and_bumps_the_version()
    {
        var result = WithAvailable(10_000).ApplyWithdrawalRequest(10_000, 200, 1_000);

        Assert.True(result.IsSuccess);
        Assert.Equal(new WalletState(Worker, 0, 9_800, 4), result.State);
    }

    [Fact]
    public void Withdrawal_above_available_balance_is_insufficient_funds() =>
        Assert.Equal(WithdrawalError.InsufficientFunds, WithAvailable(9_999).ApplyWithdrawalRequest(10_000, 0, 1_000).Error);

    [Fact]
    public void Withdrawal_below_minimum_is_refused() =>
        Assert.Equal(WithdrawalError.BelowMinimum, WithAvailable(10_000).ApplyWithdrawalRequest(999, 0, 1_000).Error);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    [InlineData(100, 100)]
    [InlineData(100, -1)]
    public void Withdrawal_with_invalid_amount_or_fee_is_refused(long amount, long fee) =>
        Assert.Equal(WithdrawalError.InvalidAmount, WithAvailable(10_000).ApplyWithdrawalRequest(amount, fee, 0).Error);

    [Fact]
    public void Negative_wallet_cannot_withdraw() =>
        Assert.Equal(WithdrawalError.InsufficientFunds, new WalletState(Worker, -50, 0, 1).ApplyWithdrawalRequest(100, 0, 0).Error);

    [Fact]
    public void Two_withdrawals_decided_on_the_same_version_cannot_both_be_stored()
    {
        // Both requests read version 3; the store accepts only the first replace conditional on it.
        var read = WithAvailable(10_000);
        var first = read.ApplyWithdrawalRequest(8_000, 0, 0).State!;
        var second = read.ApplyWithdrawalRequest(8_000, 0, 0).State!;
        Assert.Equal(first.Version, second.Version);

        // The loser re-reads the winner's state and re-decides.
        Assert.Equal(WithdrawalError.InsufficientFunds, first.ApplyWithdrawalRequest(8_000, 0, 0).Error);
    }

    [Fact]
    public void Running_totals_match_balances_derived_from_postings()
    {
        var ledger = new[]
        {
            SettlementCalculator.Settle(new SettlementInput("o1", 10_000, 0, 1000, "w1"), At).Transaction!,
            MoneyFlows.WithdrawalRequested("wd1", Worker, 5_000, 100, At),
            MoneyFlows.PayoutSucceeded("wd1", 1, Worker, 4_900, At),
            MoneyFlows.WithdrawalRequested("wd2", Worker, 2_000, 100, At),
            MoneyFlows.WithdrawalRejected("wd2", Worker, 2_000, 100, At),
            SettlementCalculator.Settle(new SettlementInput("o2", 3_000, 0, 1500, "w1"), At).Transaction!,
            MoneyFlows.PaymentCaptured("o3", 7_000, At), // does not touch the wallet
        };

        var running = ledger.Aggregate(WalletState.Empty(Worker), (state, tx) => state.Apply(tx));
        var derived = Balances.Derive(ledger).WalletOf(Worker);

        Assert.Equal(derived, (running.AvailableFen, running.InTransitFen));
        Assert.Equal(6, running.Version);
    }

    [Fact]
    public void Withdrawal_request_state_matches_applying_its_transaction()
    {
        var wallet = WithAvailable(10_000);

        var decided = wallet.ApplyWithdrawalRequest(6_000, 150, 1_000).State!;
        var posted = wallet.Apply(MoneyFlows.WithdrawalRequested("wd1", Worker, 6_000, 150, At));

        Assert.Equal(decided, posted);
    }
}
