using HomeService.Domain.Common;

namespace HomeService.Domain.Scheduling;

/// <summary>Estimated travel time between two jobs, from straight-line distance.</summary>
/// <param name="RoadFactor">Roads are longer than the great circle; 1.3 is a common urban detour factor.</param>
public sealed record TravelRules(double SpeedKmPerHour = 25, int MinimumMinutes = 15, double RoadFactor = 1.3)
{
    public static TravelRules Default { get; } = new();

    public int MinutesBetween(GeoPoint from, GeoPoint to) => MinutesForMeters(from.DistanceMetersTo(to));

    /// <summary>The drive itself, rounded up, without <see cref="MinimumMinutes"/> (which keeps a gap between jobs for parking
    /// and handover): what ranking compares, so 1 km and 4 km do not look the same.</summary>
    public int DriveMinutes(GeoPoint from, GeoPoint to) =>
        (int)Math.Min(Math.Ceiling(from.DistanceMetersTo(to) * RoadFactor / 1000d / SpeedKmPerHour * 60d), 24 * 60);

    /// <summary>Rounded up so an estimate never promises less time than the road needs.</summary>
    public int MinutesForMeters(double meters)
    {
        var minutes = Math.Ceiling(meters * RoadFactor / 1000d / SpeedKmPerHour * 60d);
        return minutes <= MinimumMinutes ? MinimumMinutes : (int)Math.Min(minutes, 24 * 60);
    }

    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        if (!(SpeedKmPerHour is > 0 and <= 200)) errors.Add(new("travel.speedKmPerHour", "out_of_range"));
        if (MinimumMinutes is < 0 or > 240) errors.Add(new("travel.minimumMinutes", "out_of_range"));
        if (!(RoadFactor is >= 1 and <= 5)) errors.Add(new("travel.roadFactor", "out_of_range"));
        return errors;
    }
}
