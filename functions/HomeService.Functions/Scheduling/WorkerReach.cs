using HomeService.Domain.Common;

namespace HomeService.Functions.Scheduling;

/// <summary>
/// A worker query's check that a worker's own radius reaches a point. Geohash cells are coarse beside small radii (a 3 km
/// circle fills a fraction of its precision-5 cells), so the cells alone let through workers whose radius falls short; this
/// keeps them in Cosmos. It is the flat-earth distance at the point's latitude, <see cref="Slack"/> wider than the radius: over
/// a worker's radius it differs from the haversine (<see cref="GeoPoint.DistanceMetersTo"/>) by far less, so it never drops a
/// worker the app's own check would keep, and that check still decides each row. No city of the platform straddles the
/// antimeridian, where longitudes would have to wrap.
/// </summary>
public static class WorkerReach
{
    /// <summary>How much wider than a worker's radius the query's check is.</summary>
    public const double Slack = 1.01;

    /// <summary>
    /// Workers (alias <c>c</c>) who cover the point: their geohash cells contain it (<see cref="GeoCells.Keys"/>; with
    /// <paramref name="orWithoutCells"/> also workers written before cells existed, until the backfill timer writes them) and
    /// their radius reaches it (<see cref="Condition"/>). Its parameters go into <paramref name="parameters"/>.
    /// </summary>
    public static string Covering(GeoPoint point, IDictionary<string, object> parameters, bool orWithoutCells)
    {
        var keys = GeoCells.Keys(point);
        for (var i = 0; i < keys.Count; i++)
        {
            parameters[$"@cell{i}"] = keys[i];
        }

        return "(" + (orWithoutCells ? "NOT IS_DEFINED(c.geoCells) OR " : "") +
               string.Join(" OR ", keys.Select((_, i) => $"ARRAY_CONTAINS(c.geoCells, @cell{i})")) + ") AND " + Condition(point, parameters);
    }

    /// <summary>The condition on the worker alias <c>c</c>; its parameters (@reachLat, @reachLng, @reachLatM, @reachLngM, @reachKmM) go into <paramref name="parameters"/>.</summary>
    public static string Condition(GeoPoint point, IDictionary<string, object> parameters)
    {
        parameters["@reachLat"] = point.Latitude;
        parameters["@reachLng"] = point.Longitude;
        parameters["@reachLatM"] = GeoPoint.MetersPerDegree;
        parameters["@reachLngM"] = GeoPoint.MetersPerDegree * Math.Cos(point.Latitude * Math.PI / 180d);
        parameters["@reachKmM"] = 1000d * Slack;
        return Distance + " <= POWER(c.serviceRadiusKm * @reachKmM, 2)";
    }

    /// <summary>
    /// The condition that the worker's home is within <paramref name="meters"/> of the point (the same flat-earth distance; the
    /// caller adds the slack it needs), its bound in the parameter <paramref name="name"/>. Needs <see cref="Condition"/>'s parameters.
    /// </summary>
    public static string Within(double meters, string name, IDictionary<string, object> parameters)
    {
        parameters[name] = meters;
        return $"{Distance} <= POWER({name}, 2)";
    }

    /// <summary>The squared flat-earth distance in metres from the point to the worker's home base.</summary>
    private const string Distance =
        "POWER((c.homeBase.latitude - @reachLat) * @reachLatM, 2) + POWER((c.homeBase.longitude - @reachLng) * @reachLngM, 2)";
}
