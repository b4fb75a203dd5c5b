using FsCheck;
using FsCheck.Xunit;
using HomeService.Domain.Money;

namespace HomeService.Domain.Tests.Money;

public class SettlementCalculatorTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Worker_gets_what_the_commission_leaves()
    {
        var s = SettlementCalculator.Settle(new SettlementInput("o1", 10_000, 0, 1000, "w1"), At);

        Assert.Equal((10_000L, 1_000L, 0L, 9_000L), (s.SettledFen, s.CommissionFen, s.MerchantFen, s.WorkerFen));
        var tx = s.Transaction!;
        Assert.Equal("settle:o1", tx.Id);
        Assert.Equal(LedgerTransactionKinds.Settlement, tx.Kind);
        Assert.Equal(-10_000, tx.AmountFor(LedgerAccount.CustomerPaymentsClearing));
        Assert.Equal(1_000, tx.AmountFor(LedgerAccount.PlatformRevenue));
        Assert.Equal(9_000, tx.AmountFor(LedgerAccount.WorkerWallet("w1")));
    }

    [Fact]
    public void Commission_rounds_down_by_default_so_the_platform_never_takes_a_fen_too_many()
    {
        // 999 × 12.5 % = 124.875 fen
        var s = SettlementCalculator.Settle(new SettlementInput("o1", 999, 0, 1250, "w1"), At);

        Assert.Equal(124, s.CommissionFen);
        Assert.Equal(875, s.WorkerFen);
    }

    [Theory]
    [InlineData(RoundingMode.PlatformDisfavour, 124)]
    [InlineData(RoundingMode.HalfUp, 125)]
    [InlineData(RoundingMode.PlatformFavour, 125)]
    public void Rounding_mode_decides_the_fractional_fen(RoundingMode mode, long expectedCommission) =>
        Assert.Equal(expectedCommission, SettlementCalculator.Settle(new SettlementInput("o1", 999, 0, 1250, "w1"), At, mode).CommissionFen);

    [Fact]
    public void Half_up_rounds_exact_half_up_and_below_half_down()
    {
        Assert.Equal(1, SettlementCalculator.Share(10, 500, RoundingMode.HalfUp));   // 0.5 → 1
        Assert.Equal(0, SettlementCalculator.Share(9, 500, RoundingMode.HalfUp));    // 0.45 → 0
        Assert.Equal(1, SettlementCalculator.Share(1, 500, RoundingMode.PlatformFavour));
    }

    [Fact]
    public void Merchant_rate_applies_to_the_remainder_after_commission()
    {
        // 10 000 paid, 1 000 refunded: 9 000 settles; 10 % commission = 900; merchant 20 % of 8 100 = 1 620.
        var s = SettlementCalculator.Settle(new SettlementInput("o1", 10_000, 1_000, 1000, "w1", "m1", 2000), At);

        Assert.Equal((9_000L, 900L, 1_620L, 6_480L), (s.SettledFen, s.CommissionFen, s.MerchantFen, s.WorkerFen));
        Assert.Equal(1_620, s.Transaction!.AmountFor(LedgerAccount.MerchantWallet("m1")));
        Assert.Equal(-9_000, s.Transaction.AmountFor(LedgerAccount.CustomerPaymentsClearing));
    }

    [Fact]
    public void Fully_refunded_order_settles_nothing()
    {
        var s = SettlementCalculator.Settle(new SettlementInput("o1", 500, 500, 1000, "w1"), At);

        Assert.Null(s.Transaction);
        Assert.Equal(0, s.SettledFen);
    }

    [Fact]
    public void Tiny_order_with_zero_commission_pays_the_worker_only()
    {
        var s = SettlementCalculator.Settle(new SettlementInput("o1", 1, 0, 1500, "w1"), At);

        Assert.Equal(2, s.Transaction!.Postings.Count);
        Assert.Equal(1, s.WorkerFen);
    }

    [Theory]
    [InlineData(499)]
    [InlineData(1501)]
    public void Commission_rate_outside_5_to_15_percent_is_rejected(int bps)
    {
        var ex = Assert.Throws<ArgumentException>(() => SettlementCalculator.Settle(new SettlementInput("o1", 100, 0, bps, "w1"), At));
        Assert.Contains("CommissionRateBps", ex.Message);
    }

    [Fact]
    public void Validation_lists_every_problem()
    {
        var errors = SettlementCalculator.Validate(new SettlementInput("", 0, -1, 100, "", null, 20_000));

        Assert.True(errors.Count >= 5, string.Join(" | ", errors));
    }

    [Fact]
    public void Refund_larger_than_payment_is_rejected() =>
        Assert.Throws<ArgumentException>(() => SettlementCalculator.Settle(new SettlementInput("o1", 100, 101, 1000, "w1"), At));

    [Property(MaxTest = 1000)]
    public bool Settlement_never_creates_or_loses_a_fen(PositiveInt paidHigh, NonNegativeInt paidLow, NonNegativeInt refundSeed,
        NonNegativeInt rateSeed, NonNegativeInt merchantSeed, bool hasMerchant, NonNegativeInt modeSeed)
    {
        var paid = (long)paidHigh.Get * 1_000 + paidLow.Get % 1_000;
        var refunded = refundSeed.Get % 3 == 0 ? 0 : (long)(refundSeed.Get % (paid + 1));
        var rate = 500 + rateSeed.Get % 1001;
        var merchantRate = hasMerchant ? merchantSeed.Get % 10_001 : 0;
        var mode = (RoundingMode)(modeSeed.Get % 3);

        var s = SettlementCalculator.Settle(
            new SettlementInput("o1", paid, refunded, rate, "w1", hasMerchant ? "m1" : null, merchantRate), At, mode);

        var settled = paid - refunded;
        var exactCommission = (decimal)settled * rate / 10_000m;
        var postingsSumToZero = s.Transaction is null || s.Transaction.Postings.Sum(p => p.AmountFen) == 0;
        var sharesAddUp = s.CommissionFen + s.MerchantFen + s.WorkerFen == settled;
        var clearingDrained = s.Transaction is null || s.Transaction.AmountFor(LedgerAccount.CustomerPaymentsClearing) == -settled;
        var nonNegative = s.CommissionFen >= 0 && s.MerchantFen >= 0 && s.WorkerFen >= 0;
        var commissionClose = Math.Abs(s.CommissionFen - exactCommission) < 1m;
        var disfavourNeverAbove = mode != RoundingMode.PlatformDisfavour || s.CommissionFen <= exactCommission;
        return postingsSumToZero && sharesAddUp && clearingDrained && nonNegative && commissionClose && disfavourNeverAbove;
    }
}
