using HomeService.Domain.Money;

namespace HomeService.Domain.Tests.Money;

public class LedgerTransactionTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Balanced_transaction_keeps_its_postings()
    {
        var tx = new LedgerTransaction("t1", At, "test",
            [new(LedgerAccount.ProviderCash, -100), new(LedgerAccount.CustomerPaymentsClearing, 100)]);

        Assert.Equal(2, tx.Postings.Count);
        Assert.Equal(100, tx.AmountFor(LedgerAccount.CustomerPaymentsClearing));
        Assert.Equal(0, tx.AmountFor(LedgerAccount.PlatformRevenue));
    }

    [Fact]
    public void Unbalanced_transaction_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LedgerTransaction("t1", At, "test",
            [new(LedgerAccount.ProviderCash, -100), new(LedgerAccount.CustomerPaymentsClearing, 99)]));
        Assert.Contains("unbalanced by -1", ex.Message);
    }

    [Fact]
    public void Single_posting_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new LedgerTransaction("t1", At, "test", [new(LedgerAccount.ProviderCash, 0)]));

    [Fact]
    public void Zero_posting_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new LedgerTransaction("t1", At, "test",
            [new(LedgerAccount.ProviderCash, -1), new(LedgerAccount.PlatformRevenue, 1), new(LedgerAccount.RefundsPayable, 0)]));

    [Fact]
    public void Same_account_twice_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new LedgerTransaction("t1", At, "test",
            [new(LedgerAccount.WorkerWallet("w1"), -1), new(LedgerAccount.WorkerWallet("w1"), 1)]));

    [Fact]
    public void Non_utc_time_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new LedgerTransaction("t1", At.ToOffset(TimeSpan.FromHours(8)), "test",
            [new(LedgerAccount.ProviderCash, -1), new(LedgerAccount.PlatformRevenue, 1)]));

    [Fact]
    public void Postings_cannot_be_changed_through_the_list_passed_in()
    {
        var postings = new List<Posting> { new(LedgerAccount.ProviderCash, -5), new(LedgerAccount.PlatformRevenue, 5) };
        var tx = new LedgerTransaction("t1", At, "test", postings);

        postings[0] = new(LedgerAccount.ProviderCash, -6);

        Assert.Equal(-5, tx.Postings[0].AmountFen);
        Assert.IsNotAssignableFrom<List<Posting>>(tx.Postings);
    }

    [Fact]
    public void Reverse_negates_every_posting_and_points_at_the_original()
    {
        var tx = MoneyFlows.PaymentCaptured("o1", 250, At);

        var reversal = tx.Reverse("pay:o1:reversal", At.AddHours(1));

        Assert.Equal("pay:o1", reversal.ReversesId);
        Assert.Equal("payment-captured-reversal", reversal.Kind);
        Assert.Equal(0, Balances.Derive([tx, reversal]).Accounts.Values.Count(v => v != 0));
    }

    [Theory]
    [InlineData("clearing:customer-payments")]
    [InlineData("platform:commission")]
    [InlineData("refunds:payable")]
    [InlineData("platform:payout-fees")]
    [InlineData("cash:provider")]
    [InlineData("worker:w-1:wallet")]
    [InlineData("merchant:m-7:wallet")]
    [InlineData("worker:w-1:in-transit")]
    [InlineData("merchant:m-7:in-transit")]
    public void Account_ids_round_trip(string id) => Assert.Equal(id, LedgerAccount.Parse(id).Id);

    [Theory]
    [InlineData("worker:w-1:purse")]
    [InlineData("nobody:x:wallet")]
    [InlineData("worker::wallet")]
    [InlineData("")]
    public void Unknown_account_id_does_not_parse(string id) => Assert.ThrowsAny<Exception>(() => LedgerAccount.Parse(id));

    [Fact]
    public void Accounts_with_the_same_owner_and_kind_are_equal() =>
        Assert.Equal(LedgerAccount.WorkerWallet("w1"), LedgerAccount.WalletOf(WalletOwner.Worker("w1")));

    [Fact]
    public void Transaction_round_trips_through_json_with_account_ids()
    {
        var tx = MoneyFlows.WithdrawalRequested("wd1", WalletOwner.Merchant("m1"), 1_000, 10, At);

        var json = System.Text.Json.JsonSerializer.Serialize(tx);
        var back = System.Text.Json.JsonSerializer.Deserialize<LedgerTransaction>(json)!;

        Assert.Contains("\"merchant:m1:in-transit\"", json);
        Assert.Equal((tx.Id, tx.At, tx.Kind, tx.ReversesId), (back.Id, back.At, back.Kind, back.ReversesId));
        Assert.Equal(tx.Postings, back.Postings);
    }
}
