namespace HomeService.Domain.Dispatch;

/// <summary>Per-city weights of the auto-assign score; each term is normalised to 0..1 before weighting.</summary>
public sealed record ScoringWeights(
    double Travel = 0.35,
    double Rating = 0.25,
    double Load = 0.15,
    double Acceptance = 0.15,
    double Fairness = 0.10,
    int MaxTravelMinutes = 60,
    int MaxOrdersPerDay = 8,
    double FairnessSaturationHours = 24)
{
    public static ScoringWeights Default { get; } = new();
}

/// <summary>What dispatch knows about one eligible worker for one order.</summary>
public sealed record CandidateFacts(
    string WorkerId,
    int TravelMinutes,
    double Rating,
    int OrdersToday,
    double AcceptanceRate,
    double HoursSinceLastAssignment);

public sealed record ScoredCandidate(string WorkerId, double Score);

public static class CandidateScoring
{
    /// <summary>Weighted sum of normalised terms; higher is better.</summary>
    public static double Score(CandidateFacts c, ScoringWeights w)
    {
        var travel = 1 - Unit(c.TravelMinutes / (double)Math.Max(1, w.MaxTravelMinutes));
        var rating = Unit(c.Rating / 5);
        var load = 1 - Unit(c.OrdersToday / (double)Math.Max(1, w.MaxOrdersPerDay));
        var acceptance = Unit(c.AcceptanceRate);
        // Saturates so a worker idle for a week does not beat a nearby one on idleness alone.
        var fairness = Unit(c.HoursSinceLastAssignment / Math.Max(1e-9, w.FairnessSaturationHours));
        return w.Travel * travel + w.Rating * rating + w.Load * load + w.Acceptance * acceptance + w.Fairness * fairness;
    }

    /// <summary>Best first; equal scores fall back to ordinal worker id so every replica picks the same worker.</summary>
    public static IReadOnlyList<ScoredCandidate> Rank(IEnumerable<CandidateFacts> candidates, ScoringWeights weights) =>
        [.. candidates
            .Select(c => new ScoredCandidate(c.WorkerId, Score(c, weights)))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.WorkerId, StringComparer.Ordinal)];

    private static double Unit(double x) => double.IsNaN(x) ? 0 : Math.Clamp(x, 0, 1);
}
