using HomeService.Domain.Dispatch;

namespace HomeService.Domain.Tests.Dispatch;

public class CandidateScoringTests
{
    private static CandidateFacts Facts(string id, int travel = 20, double rating = 4.5, int load = 2, double acceptance = 0.9, double idle = 4) =>
        new(id, travel, rating, load, acceptance, idle);

    [Fact]
    public void Closer_worker_ranks_first_when_all_else_is_equal()
    {
        var ranked = CandidateScoring.Rank([Facts("far", travel: 50), Facts("near", travel: 10)], ScoringWeights.Default);

        Assert.Equal(["near", "far"], ranked.Select(r => r.WorkerId));
    }

    [Fact]
    public void Each_term_moves_the_score_in_the_expected_direction()
    {
        var w = ScoringWeights.Default;
        var baseline = CandidateScoring.Score(Facts("a"), w);

        Assert.True(CandidateScoring.Score(Facts("a", rating: 5), w) > baseline);
        Assert.True(CandidateScoring.Score(Facts("a", load: 6), w) < baseline);
        Assert.True(CandidateScoring.Score(Facts("a", acceptance: 0.5), w) < baseline);
        Assert.True(CandidateScoring.Score(Facts("a", idle: 20), w) > baseline);
    }

    [Fact]
    public void Terms_saturate_so_out_of_range_inputs_stay_within_the_weight_sum()
    {
        var best = CandidateScoring.Score(new CandidateFacts("a", 0, 9, -3, 2, 1e6), ScoringWeights.Default);
        var worst = CandidateScoring.Score(new CandidateFacts("b", 999, double.NaN, 99, -1, 0), ScoringWeights.Default);

        Assert.Equal(1.0, best, 9);
        Assert.Equal(0.0, worst, 9);
    }

    [Fact]
    public void Equal_scores_are_broken_by_ordinal_worker_id()
    {
        var ranked = CandidateScoring.Rank([Facts("w-b"), Facts("W-a"), Facts("w-a")], ScoringWeights.Default);

        Assert.Equal(["W-a", "w-a", "w-b"], ranked.Select(r => r.WorkerId));
    }

    [Fact]
    public void City_weights_change_the_winner()
    {
        CandidateFacts[] candidates = [Facts("near-new", travel: 10, rating: 3.5), Facts("far-star", travel: 40, rating: 5)];
        var ratingFirst = ScoringWeights.Default with { Travel = 0.05, Rating = 0.8 };

        Assert.Equal("near-new", CandidateScoring.Rank(candidates, ScoringWeights.Default)[0].WorkerId);
        Assert.Equal("far-star", CandidateScoring.Rank(candidates, ratingFirst)[0].WorkerId);
    }
}
