using HomeService.Domain.Dispatch;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Dispatch;

/// <summary>The auto-assign order of free candidates (city weights over <see cref="CandidateScoring"/>): booking and re-dispatch share it.</summary>
public static class CandidateRanking
{
    /// <summary>How many of the best candidates an offer keeps with their score's terms (<see cref="OfferRanking"/>).</summary>
    public const int ExplainedCandidates = 3;

    /// <summary>Best first, with each one's score. <paramref name="free"/> must already be the candidates who can take the slot.</summary>
    public static IReadOnlyList<ScoredCandidate> Score(
        IReadOnlyList<Candidate> free, CitySettings settings, Reservation job, DateTimeOffset now)
    {
        var weights = settings.Weights;
        var facts = free.Select(c =>
        {
            var entries = c.Calendar.Reservations;
            DateTimeOffset? lastHeld = entries.Count == 0 ? null : entries.Max(r => r.HeldAt);
            return CandidateScoring.FactsFor(c.Domain, job, now, settings.Zone, settings.Travel,
                c.Worker.Offers.AcceptanceRate, lastHeld, weights);
        });
        return CandidateScoring.Rank(facts, weights);
    }

    /// <summary>The candidates of <paramref name="scored"/> in its order.</summary>
    public static List<Candidate> InOrder(IReadOnlyList<Candidate> free, IReadOnlyList<ScoredCandidate> scored)
    {
        var byId = free.ToDictionary(c => c.Worker.Id, StringComparer.Ordinal);
        return [.. scored.Select(s => byId[s.WorkerId])];
    }
}

/// <summary>
/// Why an offer went to whom it went: the best <see cref="CandidateRanking.ExplainedCandidates"/> candidates of the ranking
/// behind the offer of <see cref="Round"/>, each with the facts and the weighted terms of their score, and the worker chosen
/// (the best whose time could be held). Kept on the order (<see cref="Booking.OrderDocument.OfferRankings"/>) for the admin.
/// </summary>
public sealed record OfferRanking(int Round, DateTimeOffset At, string ChosenWorkerId, IReadOnlyList<ScoredCandidate> Top)
{
    public static OfferRanking Of(int round, DateTimeOffset at, string chosenWorkerId, IReadOnlyList<ScoredCandidate> scored) =>
        new(round, at, chosenWorkerId, [.. scored.Take(CandidateRanking.ExplainedCandidates)]);
}
