namespace HomeService.Domain.Common;

/// <summary>A WGS-84 coordinate.</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    public static bool IsValid(double latitude, double longitude) =>
        latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180 &&
        !double.IsNaN(latitude) && !double.IsNaN(longitude);

    /// <summary>The mean Earth radius <see cref="DistanceMetersTo"/> uses.</summary>
    public const double EarthRadiusMeters = 6_371_000d;

    /// <summary>Metres along a meridian per degree of latitude (and along the equator per degree of longitude) on that sphere.</summary>
    public const double MetersPerDegree = EarthRadiusMeters * Math.PI / 180d;

    /// <summary>Great-circle distance in metres (haversine).</summary>
    public double DistanceMetersTo(GeoPoint other)
    {
        const double earthRadius = EarthRadiusMeters;
        var dLat = ToRadians(other.Latitude - Latitude);
        var dLon = ToRadians(other.Longitude - Longitude);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) +
                Math.Cos(ToRadians(Latitude)) * Math.Cos(ToRadians(other.Latitude)) *
                Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * earthRadius * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double ToRadians(double degrees) => degrees * Math.PI / 180d;
}
