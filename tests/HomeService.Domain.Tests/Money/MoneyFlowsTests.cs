using FsCheck;
using FsCheck.Xunit;
using HomeService.Domain.Money;

namespace HomeService.Domain.Tests.Money;

public class MoneyFlowsTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly WalletOwner Worker = WalletOwner.Worker("w1");
    private static readonly LedgerAccount WorkerWallet = LedgerAccount.WalletOf(Worker);
    private static readonly LedgerAccount WorkerInTransit = LedgerAccount.InTransitOf(Worker);

    private static LedgerTransaction Settle(long paid, long refunded = 0, string? merchant = null, int merchantBps = 0) =>
        SettlementCalculator.Settle(new SettlementInput("o1", paid, refunded, 1000, "w1", merchant, merchantBps), At).Transaction!;

    [Fact]
    public void Paid_refunded_before_settlement_and_settled_order_leaves_clearing_empty()
    {
        var ledger = new[]
        {
            MoneyFlows.PaymentCaptured("o1", 10_000, At),
            MoneyFlows.RefundBeforeSettlement("o1", "r1", 2_000, At),
            MoneyFlows.RefundPaidOut("o1", "r1", 2_000, At),
            Settle(10_000, refunded: 2_000),
        };

        var balances = Balances.Derive(ledger);

        Assert.Equal(0, balances.Total);
        Assert.Equal(0, balances[LedgerAccount.CustomerPaymentsClearing]);
        Assert.Equal(0, balances[LedgerAccount.RefundsPayable]);
        Assert.Equal(800, balances[LedgerAccount.PlatformRevenue]);
        Assert.Equal(7_200, balances[WorkerWallet]);
        Assert.Equal(-8_000, balances[LedgerAccount.ProviderCash]);
    }

    [Fact]
    public void Refund_before_and_after_settlement_share_one_idempotency_key()
    {
        var before = MoneyFlows.RefundBeforeSettlement("o1", "r1", 100, At);
        var after = MoneyFlows.RefundAfterSettlement("o1", "r1", 100, Settle(10_000), 0, At);

        Assert.Equal("refund:o1:r1", before.Id);
        Assert.Equal(before.Id, after.Id);
    }

    [Fact]
    public void Full_refund_after_settlement_reverses_every_share_exactly()
    {
        var settlement = Settle(10_000, merchant: "m1", merchantBps: 2000);

        var refund = MoneyFlows.RefundAfterSettlement("o1", "r1", 10_000, settlement, 0, At);

        Assert.Equal(LedgerTransactionKinds.RefundAfterSettlement, refund.Kind);
        Assert.Equal(10_000, refund.AmountFor(LedgerAccount.RefundsPayable));
        foreach (var share in settlement.Postings.Where(p => p.AmountFen > 0))
            Assert.Equal(-share.AmountFen, refund.AmountFor(share.Account));
    }

    [Fact]
    public void Partial_refund_after_settlement_rounds_the_platform_part_up()
    {
        var settlement = Settle(999); // commission 99, worker 900

        var refund = MoneyFlows.RefundAfterSettlement("o1", "r1", 500, settlement, 0, At);

        // exact commission part: 99 × 500 / 999 = 49.55 → platform returns 50
        Assert.Equal(-50, refund.AmountFor(LedgerAccount.PlatformRevenue));
        Assert.Equal(-450, refund.AmountFor(WorkerWallet));
        Assert.Equal(500, refund.AmountFor(LedgerAccount.RefundsPayable));
    }

    [Fact]
    public void Refund_after_settlement_may_leave_the_wallet_negative_and_later_income_repays_it()
    {
        var settlement = Settle(10_000);
        var withdrawal = MoneyFlows.WithdrawalRequested("wd1", Worker, 9_000, 0, At);
        var refund = MoneyFlows.RefundAfterSettlement("o1", "r1", 10_000, settlement, 0, At);
        var nextOrder = SettlementCalculator.Settle(new SettlementInput("o2", 20_000, 0, 1000, "w1"), At).Transaction!;

        var afterRefund = Balances.Derive([MoneyFlows.PaymentCaptured("o1", 10_000, At), settlement, withdrawal, refund]);
        Assert.Equal(-9_000, afterRefund[WorkerWallet]);

        var afterNextOrder = Balances.Derive([MoneyFlows.PaymentCaptured("o1", 10_000, At), settlement, withdrawal, refund,
            MoneyFlows.PaymentCaptured("o2", 20_000, At), nextOrder]);
        Assert.Equal(9_000, afterNextOrder[WorkerWallet]);
        Assert.Equal(0, afterNextOrder.Total);
    }

    [Fact]
    public void Refunds_after_settlement_cannot_exceed_what_was_settled() =>
        Assert.Throws<ArgumentException>(() => MoneyFlows.RefundAfterSettlement("o1", "r2", 2, Settle(100), 99, At));

    [Property(MaxTest = 500)]
    public bool Series_of_partial_refunds_after_settlement_reverses_exactly_the_settled_shares(
        PositiveInt paidSeed, NonNegativeInt merchantSeed, PositiveInt pieces)
    {
        var paid = paidSeed.Get % 100_000 + 1;
        var settlement = Settle(paid, merchant: "m1", merchantBps: merchantSeed.Get % 10_001);
        var count = Math.Min(pieces.Get % 7 + 1, paid);
        var refunds = new List<LedgerTransaction>();
        long refunded = 0;
        for (var i = 0; i < count; i++)
        {
            var amount = i == count - 1 ? paid - refunded : paid / count;
            refunds.Add(MoneyFlows.RefundAfterSettlement("o1", $"r{i}", amount, settlement, refunded, At));
            refunded += amount;
        }

        var balances = Balances.Derive([settlement, .. refunds]);
        var eachRefundBalanced = refunds.All(r => r.Postings.Sum(p => p.AmountFen) == 0);
        var platformNeverBelowZero = refunds.Aggregate((ok: true, sum: settlement.AmountFor(LedgerAccount.PlatformRevenue)),
            (acc, r) => (acc.ok && acc.sum + r.AmountFor(LedgerAccount.PlatformRevenue) >= 0, acc.sum + r.AmountFor(LedgerAccount.PlatformRevenue))).ok;
        return eachRefundBalanced && platformNeverBelowZero
            && balances[LedgerAccount.PlatformRevenue] == 0
            && balances[WorkerWallet] == 0
            && balances[LedgerAccount.MerchantWallet("m1")] == 0
            && balances[LedgerAccount.RefundsPayable] == paid;
    }

    [Fact]
    public void Withdrawal_moves_the_net_amount_in_transit_and_the_fee_to_revenue()
    {
        var tx = MoneyFlows.WithdrawalRequested("wd1", Worker, 10_000, 200, At);

        Assert.Equal("withdraw:wd1", tx.Id);
        Assert.Equal(-10_000, tx.AmountFor(WorkerWallet));
        Assert.Equal(9_800, tx.AmountFor(WorkerInTransit));
        Assert.Equal(200, tx.AmountFor(LedgerAccount.PayoutFeesRevenue));
    }

    [Fact]
    public void Withdrawal_without_fee_has_no_fee_posting() =>
        Assert.Equal(2, MoneyFlows.WithdrawalRequested("wd1", Worker, 10_000, 0, At).Postings.Count);

    [Fact]
    public void Rejected_withdrawal_returns_amount_and_fee_to_the_wallet()
    {
        var request = MoneyFlows.WithdrawalRequested("wd1", Worker, 10_000, 200, At);
        var rejected = MoneyFlows.WithdrawalRejected("wd1", Worker, 10_000, 200, At);

        var balances = Balances.Derive([Settle(20_000), request, rejected]);

        Assert.Equal(18_000, balances[WorkerWallet]);
        Assert.Equal(0, balances[WorkerInTransit]);
        Assert.Equal(0, balances[LedgerAccount.PayoutFeesRevenue]);
    }

    [Fact]
    public void Successful_payout_moves_in_transit_to_cash()
    {
        var ledger = new[]
        {
            MoneyFlows.PaymentCaptured("o1", 20_000, At), Settle(20_000),
            MoneyFlows.WithdrawalRequested("wd1", Worker, 10_000, 200, At),
            MoneyFlows.PayoutSucceeded("wd1", 1, Worker, 9_800, At),
        };

        var balances = Balances.Derive(ledger);

        Assert.Equal(0, balances[WorkerInTransit]);
        Assert.Equal(8_000, balances[WorkerWallet]);
        Assert.Equal(-20_000 + 9_800, balances[LedgerAccount.ProviderCash]);
    }

    [Fact]
    public void Returned_payout_goes_back_in_transit_for_a_retry()
    {
        var ledger = new[]
        {
            MoneyFlows.PaymentCaptured("o1", 20_000, At), Settle(20_000),
            MoneyFlows.WithdrawalRequested("wd1", Worker, 10_000, 0, At),
            MoneyFlows.PayoutSucceeded("wd1", 1, Worker, 10_000, At),
            MoneyFlows.PayoutReturned("wd1", 1, Worker, 10_000, At),
        };
        Assert.Equal(10_000, Balances.Derive(ledger)[WorkerInTransit]);
        Assert.Equal(-20_000, Balances.Derive(ledger)[LedgerAccount.ProviderCash]);

        var retried = Balances.Derive([.. ledger, MoneyFlows.PayoutSucceeded("wd1", 2, Worker, 10_000, At)]);
        Assert.Equal(0, retried[WorkerInTransit]);
        Assert.Equal(-10_000, retried[LedgerAccount.ProviderCash]);
    }

    [Fact]
    public void Abandoned_payout_returns_the_money_to_the_wallet_under_the_same_key_as_a_rejection()
    {
        var abandoned = MoneyFlows.PayoutAbandoned("wd1", Worker, 10_000, 200, At);

        Assert.Equal(MoneyFlows.WithdrawalRejected("wd1", Worker, 10_000, 200, At).Id, abandoned.Id);
        Assert.Equal(10_000, abandoned.AmountFor(WorkerWallet));
        Assert.Equal(LedgerTransactionKinds.PayoutAbandoned, abandoned.Kind);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 100)]
    [InlineData(100, -1)]
    public void Withdrawal_with_invalid_amount_or_fee_is_rejected(long amount, long fee) =>
        Assert.ThrowsAny<ArgumentException>(() => MoneyFlows.WithdrawalRequested("wd1", Worker, amount, fee, At));

    [Fact]
    public void Derive_rejects_a_transaction_recorded_twice()
    {
        var pay = MoneyFlows.PaymentCaptured("o1", 100, At);

        Assert.Throws<InvalidOperationException>(() => Balances.Derive([pay, pay]));
    }

    [Fact]
    public void Statement_shows_opening_running_and_closing_balances()
    {
        var day1 = At;
        var day2 = At.AddDays(1);
        var day3 = At.AddDays(2);
        var ledger = new[]
        {
            SettlementCalculator.Settle(new SettlementInput("o1", 1_000, 0, 1000, "w1"), day1).Transaction!,
            SettlementCalculator.Settle(new SettlementInput("o2", 2_000, 0, 1000, "w1"), day2).Transaction!,
            MoneyFlows.WithdrawalRequested("wd1", Worker, 500, 0, day2.AddHours(1)),
            SettlementCalculator.Settle(new SettlementInput("o3", 3_000, 0, 1000, "w1"), day3).Transaction!,
        };

        var statement = Statement.For(WorkerWallet, ledger, day2, day3);

        Assert.Equal(900, statement.OpeningFen);
        Assert.Equal([(1_800L, 2_700L), (-500L, 2_200L)], statement.Lines.Select(l => (l.AmountFen, l.BalanceFen)));
        Assert.Equal(2_200, statement.ClosingFen);
    }
}
