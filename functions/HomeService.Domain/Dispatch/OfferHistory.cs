using System.Text.Json.Serialization;

namespace HomeService.Domain.Dispatch;

/// <summary>How one offer to a worker ended.</summary>
public enum OfferOutcome
{
    Accepted,
    Rejected,
    Expired,
}

/// <summary>One answered (or unanswered) offer; (OrderId, Round) names it, so recording it again changes nothing.</summary>
public sealed record OfferRecord(string OrderId, int Round, OfferOutcome Outcome, DateTimeOffset At);

/// <summary>
/// A worker's most recent offer outcomes, the source of the acceptance-rate term of dispatch scoring.
/// Bounded (the newest <see cref="Capacity"/> kept) so it stays small on the worker document and
/// reflects current behaviour; smoothed towards <see cref="PriorRate"/> so that one missed offer does
/// not sink a new worker and a newcomer is neither favoured nor punished for having no history.
/// </summary>
public sealed record OfferHistory(IReadOnlyList<OfferRecord> Recent)
{
    public const int Capacity = 50;
    public const double PriorRate = 0.8;
    public const double PriorWeight = 5;

    public static OfferHistory Empty { get; } = new([]);

    /// <summary>(accepted + prior × weight) / (answered + weight): 0.8 with no history, tends to the observed rate.</summary>
    [JsonIgnore]
    public double AcceptanceRate
    {
        get
        {
            var accepted = Recent.Count(r => r.Outcome == OfferOutcome.Accepted);
            return (accepted + PriorRate * PriorWeight) / (Recent.Count + PriorWeight);
        }
    }

    public bool Contains(string orderId, int round) => Recent.Any(r => r.Round == round && string.Equals(r.OrderId, orderId, StringComparison.Ordinal));

    /// <summary>
    /// The history with <paramref name="record"/> added, or null when that offer is already recorded
    /// (a re-delivered event). Ordered by time; the oldest fall off past <see cref="Capacity"/>.
    /// </summary>
    public OfferHistory? With(OfferRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Contains(record.OrderId, record.Round))
        {
            return null;
        }

        var next = Recent.Append(record).OrderBy(r => r.At).ThenBy(r => r.OrderId, StringComparer.Ordinal).ThenBy(r => r.Round).ToList();
        if (next.Count > Capacity)
        {
            next = next[^Capacity..];
        }

        // A late re-delivery of an offer older than everything kept falls straight off again.
        return next.Contains(record) ? new OfferHistory(next) : null;
    }
}
