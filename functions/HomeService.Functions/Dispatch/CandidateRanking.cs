using HomeService.Domain.Common;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Dispatch;

/// <summary>The auto-assign order of free candidates (city weights over <see cref="CandidateScoring"/>): booking and re-dispatch share it.</summary>
public static class CandidateRanking
{
    /// <summary>Best first. <paramref name="free"/> must already be the candidates who can take the slot.</summary>
    public static List<Candidate> Rank(IReadOnlyList<Candidate> free, CitySettings settings, GeoPoint location, DateTimeOffset start, DateTimeOffset now)
    {
        var localDay = DateOnly.FromDateTime(ZoneTime.ToLocal(start, settings.Zone));
        var weights = settings.Weights;
        var facts = free.Select(c =>
        {
            var entries = c.Calendar.Reservations;
            var lastHeld = entries.Count == 0 ? (DateTimeOffset?)null : entries.Max(r => r.HeldAt);
            return new CandidateFacts(
                c.Worker.Id,
                settings.Travel.MinutesBetween(c.Domain.HomeBase, location),
                c.Worker.Rating.Average,
                entries.Count(r => DateOnly.FromDateTime(ZoneTime.ToLocal(r.Start, settings.Zone)) == localDay),
                c.Worker.Offers.AcceptanceRate,
                lastHeld is { } at ? (now - at).TotalHours : weights.FairnessSaturationHours);
        });
        var byId = free.ToDictionary(c => c.Worker.Id, StringComparer.Ordinal);
        return [.. CandidateScoring.Rank(facts, weights).Select(s => byId[s.WorkerId])];
    }
}
