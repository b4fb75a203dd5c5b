using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;

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
/// <param name="TravelMinutes">From where the worker will be before the job: the place of their previous job that
/// local day, or their home base when the job is their first (<see cref="CandidateScoring.FactsFor"/>).</param>
public sealed record CandidateFacts(
    string WorkerId,
    int TravelMinutes,
    double Rating,
    int OrdersToday,
    double AcceptanceRate,
    double HoursSinceLastAssignment);

/// <summary>Each term's weighted share of the score (weight × normalised term); <see cref="Total"/> is the score.</summary>
public sealed record ScoreTerms(double Travel, double Rating, double Load, double Acceptance, double Fairness)
{
    public double Total => Travel + Rating + Load + Acceptance + Fairness;
}

/// <summary>One ranked candidate with the facts and the terms that placed them: why dispatch chose whom it chose.</summary>
public sealed record ScoredCandidate(string WorkerId, double Score, ScoreTerms Terms, CandidateFacts Facts);

public static class CandidateScoring
{
    /// <summary>Weighted sum of normalised terms; higher is better.</summary>
    public static double Score(CandidateFacts c, ScoringWeights w) => Explain(c, w).Total;

    /// <summary>The score split into its weighted terms.</summary>
    public static ScoreTerms Explain(CandidateFacts c, ScoringWeights w)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(w);
        var travel = 1 - Unit(c.TravelMinutes / (double)Math.Max(1, w.MaxTravelMinutes));
        var rating = Unit(c.Rating / 5);
        var load = 1 - Unit(c.OrdersToday / (double)Math.Max(1, w.MaxOrdersPerDay));
        var acceptance = Unit(c.AcceptanceRate);
        // Saturates so a worker idle for a week does not beat a nearby one on idleness alone.
        var fairness = Unit(c.HoursSinceLastAssignment / Math.Max(1e-9, w.FairnessSaturationHours));
        return new ScoreTerms(w.Travel * travel, w.Rating * rating, w.Load * load, w.Acceptance * acceptance, w.Fairness * fairness);
    }

    /// <summary>Best first; equal scores fall back to ordinal worker id so every replica picks the same worker.</summary>
    public static IReadOnlyList<ScoredCandidate> Rank(IEnumerable<CandidateFacts> candidates, ScoringWeights weights) =>
        [.. candidates
            .Select(c =>
            {
                var terms = Explain(c, weights);
                return new ScoredCandidate(c.WorkerId, terms.Total, terms, c);
            })
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.WorkerId, StringComparer.Ordinal)];

    /// <summary>
    /// The facts of one free worker for a job at <paramref name="location"/> starting at <paramref name="start"/>, as booking,
    /// re-dispatch and the dispatch simulation build them. Travel is counted from where the worker will be: the place of
    /// the latest of their reservations that local day ending by the start, else their home base. Load is their
    /// reservations that local day (this order excluded); fairness is the time since <paramref name="lastAssignedAt"/>
    /// (saturated when they never had one).
    /// </summary>
    public static CandidateFacts FactsFor(
        CandidateWorker worker, string orderId, GeoPoint location, DateTimeOffset start, DateTimeOffset now,
        TimeZoneInfo zone, TravelRules travel, double acceptanceRate, DateTimeOffset? lastAssignedAt, ScoringWeights weights)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(travel);
        ArgumentNullException.ThrowIfNull(weights);
        var localDay = DateOnly.FromDateTime(ZoneTime.ToLocal(start, zone));
        var from = worker.HomeBase;
        var previousEnd = DateTimeOffset.MinValue;
        var ordersToday = 0;
        foreach (var r in worker.Calendar.Reservations)
        {
            if (r.OrderId == orderId || DateOnly.FromDateTime(ZoneTime.ToLocal(r.Start, zone)) != localDay) continue;
            ordersToday++;
            if (r.End <= start && r.End > previousEnd)
            {
                previousEnd = r.End;
                from = r.Location;
            }
        }

        return new CandidateFacts(worker.WorkerId, travel.MinutesBetween(from, location), worker.Rating, ordersToday, acceptanceRate,
            lastAssignedAt is { } at ? (now - at).TotalHours : weights.FairnessSaturationHours);
    }

    private static double Unit(double x) => double.IsNaN(x) ? 0 : Math.Clamp(x, 0, 1);
}
