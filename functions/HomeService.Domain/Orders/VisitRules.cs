using HomeService.Domain.Common;

namespace HomeService.Domain.Orders;

/// <summary>The three steps of a visit a worker reports from the customer's door.</summary>
public enum VisitStep
{
    Arrive,
    Start,
    Complete,
}

/// <summary>
/// When and where a worker may report a visit step (a city setting): arriving and starting from
/// <see cref="EarliestMinutesBeforeStart"/> before the booked start to <see cref="LatestMinutesAfterStart"/> after it,
/// completing from the same earliest instant to <see cref="LatestMinutesAfterEnd"/> after the booked end; each from
/// within <see cref="GeofenceMeters"/> of the order's address.
/// </summary>
public sealed record VisitPolicy(
    int EarliestMinutesBeforeStart = 60,
    int LatestMinutesAfterStart = 180,
    int LatestMinutesAfterEnd = 240,
    int GeofenceMeters = 500)
{
    public static readonly VisitPolicy Default = new();

    /// <summary>The instants between which <paramref name="step"/> may be reported for an order booked at [start, end).</summary>
    public (DateTimeOffset From, DateTimeOffset To) WindowFor(VisitStep step, DateTimeOffset start, DateTimeOffset end) =>
        (start.AddMinutes(-EarliestMinutesBeforeStart),
         step == VisitStep.Complete ? end.AddMinutes(LatestMinutesAfterEnd) : start.AddMinutes(LatestMinutesAfterStart));
}

/// <summary>Which visit rule a report broke.</summary>
public enum VisitRule
{
    TimeWindow,
    Geofence,
}

/// <summary>A refused visit report: the rule, the allowed window, and how far from the address the worker reported from.</summary>
public sealed record VisitViolation(VisitRule Rule, VisitStep Step, DateTimeOffset AllowedFrom, DateTimeOffset AllowedTo, int DistanceMeters, int GeofenceMeters)
{
    /// <summary>The problem code that names the rule.</summary>
    public string Code => Rule switch
    {
        VisitRule.TimeWindow => "visit_outside_time_window",
        _ => "visit_outside_geofence",
    };
}

/// <summary>What the order keeps of a visit report: where the worker said they were, how far that is from the address,
/// and the admin whose exemption let a report outside the rules through.</summary>
public sealed record VisitEvidence(GeoPoint Location, int DistanceMeters, string? ExemptedBy = null);

/// <summary>
/// The visit integrity rule (SPEC: 上门打卡): a worker arrives, starts and completes at the customer's address around the
/// booked time. A report outside the window or the geofence is refused unless an admin exempted the order (audited).
/// </summary>
public static class VisitRules
{
    /// <param name="exemptedBy">The admin who exempted the order from the rules, if one did.</param>
    public static (VisitEvidence Evidence, VisitViolation? Violation) Check(
        VisitPolicy policy, VisitStep step, DateTimeOffset scheduledStart, DateTimeOffset scheduledEnd, GeoPoint address,
        GeoPoint reported, DateTimeOffset now, string? exemptedBy)
    {
        var distance = (int)Math.Round(reported.DistanceMetersTo(address), MidpointRounding.AwayFromZero);
        var (from, to) = policy.WindowFor(step, scheduledStart, scheduledEnd);
        VisitViolation? violation = null;
        if (now < from || now > to)
        {
            violation = new VisitViolation(VisitRule.TimeWindow, step, from, to, distance, policy.GeofenceMeters);
        }
        else if (distance > policy.GeofenceMeters)
        {
            violation = new VisitViolation(VisitRule.Geofence, step, from, to, distance, policy.GeofenceMeters);
        }

        return violation is not null && exemptedBy is not null
            ? (new VisitEvidence(reported, distance, exemptedBy), null)
            : (new VisitEvidence(reported, distance), violation);
    }
}
