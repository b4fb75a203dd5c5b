using HomeService.Domain.Dispatch;

namespace HomeService.Domain.Tests.Dispatch;

public class OfferHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    private static OfferRecord Rec(int i, OfferOutcome outcome, int round = 1) => new($"ord_{i:D3}", round, outcome, T0.AddMinutes(i));

    private static OfferHistory Build(params OfferRecord[] records) =>
        records.Aggregate(OfferHistory.Empty, (h, r) => h.With(r) ?? h);

    [Fact]
    public void A_worker_without_history_scores_the_prior_rate()
    {
        Assert.Equal(OfferHistory.PriorRate, OfferHistory.Empty.AcceptanceRate, 9);
    }

    [Fact]
    public void The_rate_moves_towards_the_observed_rate_as_outcomes_accumulate()
    {
        var allAccepted = Build([.. Enumerable.Range(0, 20).Select(i => Rec(i, OfferOutcome.Accepted))]);
        var allIgnored = Build([.. Enumerable.Range(0, 20).Select(i => Rec(i, i % 2 == 0 ? OfferOutcome.Rejected : OfferOutcome.Expired))]);

        Assert.Equal((20 + 4.0) / 25, allAccepted.AcceptanceRate, 9);
        Assert.Equal(4.0 / 25, allIgnored.AcceptanceRate, 9);
        // One missed offer does not sink a newcomer below the prior by much.
        Assert.True(Build(Rec(1, OfferOutcome.Expired)).AcceptanceRate > 0.6);
    }

    [Fact]
    public void Recording_the_same_offer_again_changes_nothing()
    {
        var once = Build(Rec(1, OfferOutcome.Rejected));

        Assert.Null(once.With(Rec(1, OfferOutcome.Rejected)));
        // Same order, same round, even with a different outcome (a forged or confused re-delivery): still one record.
        Assert.Null(once.With(Rec(1, OfferOutcome.Accepted)));
        // The next round of the same order is another offer.
        Assert.Equal(2, once.With(Rec(1, OfferOutcome.Accepted, round: 2))!.Recent.Count);
    }

    [Fact]
    public void Only_the_newest_outcomes_are_kept_and_a_late_old_one_falls_off_again()
    {
        var full = Build([.. Enumerable.Range(0, OfferHistory.Capacity + 10).Select(i => Rec(i, i < 10 ? OfferOutcome.Rejected : OfferOutcome.Accepted))]);

        Assert.Equal(OfferHistory.Capacity, full.Recent.Count);
        Assert.All(full.Recent, r => Assert.Equal(OfferOutcome.Accepted, r.Outcome));
        Assert.Equal("ord_010", full.Recent[0].OrderId);
        Assert.Null(full.With(Rec(3, OfferOutcome.Rejected)));
    }

    [Fact]
    public void Outcomes_delivered_out_of_order_are_kept_in_time_order()
    {
        var h = Build(Rec(5, OfferOutcome.Accepted), Rec(2, OfferOutcome.Rejected), Rec(9, OfferOutcome.Expired));

        Assert.Equal(["ord_002", "ord_005", "ord_009"], h.Recent.Select(r => r.OrderId));
    }
}
