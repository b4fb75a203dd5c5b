using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;

namespace HomeService.Domain.Dispatch;

/// <summary>
/// Per-city weights of the auto-assign score; each term is normalised to 0..1 before weighting. The defaults come from the
/// dispatch simulation (docs/PERFORMANCE.md, "Dispatch quality"): travel — the detour the job adds to the worker's day,
/// worth nothing at <see cref="MaxTravelMinutes"/> or more — leads, because it is what separates good dispatch from
/// round-robin; acceptance keeps offers going to those who take them (fewer rounds and manual dispatches); rating, load
/// and fairness break near-ties and spread the work (booked-hours Gini below greedy nearest). Before issue 13:
/// 0.35 / 0.25 / 0.15 / 0.15 / 0.10 with travel from the home base over 60 minutes.
/// </summary>
public sealed record ScoringWeights(
    double Travel = 0.70,
    double Rating = 0.10,
    double Load = 0.05,
    double Acceptance = 0.10,
    double Fairness = 0.05,
    int MaxTravelMinutes = 30,
    int MaxOrdersPerDay = 8,
    double FairnessSaturationHours = 24)
{
    public static ScoringWeights Default { get; } = new();
}

/// <summary>What dispatch knows about one eligible worker for one order.</summary>
/// <param name="TravelMinutes">The driving the job adds to the worker's day: from their previous job that local day (or
/// home) to it and on to their next job, less the direct drive they save (<see cref="CandidateScoring.DetourMinutes"/>).</param>
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

/// <summary>Where a worker comes from and goes next around one job that day (<see cref="CandidateScoring.RouteAround"/>).</summary>
public sealed record DayRoute(GeoPoint From, GeoPoint? Next, int OrdersThatDay);

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
    /// The facts of one free worker for <paramref name="job"/> (the order's time and place), as booking, re-dispatch and the
    /// dispatch simulation build them. Travel is the driving the job adds to the worker's day (<see cref="DetourMinutes"/>).
    /// Load is their reservations that local day (this order excluded); fairness is the time since
    /// <paramref name="lastAssignedAt"/> (saturated when they never had one).
    /// </summary>
    public static CandidateFacts FactsFor(
        CandidateWorker worker, Reservation job, DateTimeOffset now, TimeZoneInfo zone, TravelRules travel,
        double acceptanceRate, DateTimeOffset? lastAssignedAt, ScoringWeights weights)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(weights);
        var route = RouteAround(worker, job, zone);
        return new CandidateFacts(worker.WorkerId, DetourMinutes(route, job.Location, travel), worker.Rating, route.OrdersThatDay, acceptanceRate,
            lastAssignedAt is { } at ? (now - at).TotalHours : weights.FairnessSaturationHours);
    }

    /// <summary>
    /// The driving <paramref name="location"/> adds between where the worker comes from and where they go next:
    /// drive(from → job) + drive(job → next) − drive(from → next), or drive(from → job) when nothing follows that day.
    /// A job on the way between two others costs little; one across town from both costs both legs.
    /// </summary>
    public static int DetourMinutes(DayRoute route, GeoPoint location, TravelRules travel)
    {
        ArgumentNullException.ThrowIfNull(travel);
        var there = travel.DriveMinutes(route.From, location);
        return route.Next is { } next ? Math.Max(0, there + travel.DriveMinutes(location, next) - travel.DriveMinutes(route.From, next)) : there;
    }

    /// <summary>
    /// Where the worker is before and after <paramref name="job"/> that local day: the place of the latest reservation
    /// ending by its start (else the home base) and of the earliest starting at or after its end (else none); with how many
    /// reservations they have that day (<paramref name="job"/>'s own order not counted).
    /// </summary>
    public static DayRoute RouteAround(CandidateWorker worker, Reservation job, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(job);
        var localDay = DateOnly.FromDateTime(ZoneTime.ToLocal(job.Start, zone));
        var from = worker.HomeBase;
        GeoPoint? next = null;
        var previousEnd = DateTimeOffset.MinValue;
        var nextStart = DateTimeOffset.MaxValue;
        var count = 0;
        foreach (var r in worker.Calendar.Reservations)
        {
            if (r.OrderId == job.OrderId || DateOnly.FromDateTime(ZoneTime.ToLocal(r.Start, zone)) != localDay) continue;
            count++;
            if (r.End <= job.Start && r.End > previousEnd)
            {
                previousEnd = r.End;
                from = r.Location;
            }
            else if (r.Start >= job.End && r.Start < nextStart)
            {
                nextStart = r.Start;
                next = r.Location;
            }
        }

        return new DayRoute(from, next, count);
    }

    private static double Unit(double x) => double.IsNaN(x) ? 0 : Math.Clamp(x, 0, 1);
}
