using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Workers;

namespace HomeService.Functions.Scheduling;

/// <summary>
/// What is offered near a point: for each item, the distance to the nearest bookable worker of the city who offers it and
/// whose area covers the point. One query on the workers whose geohash cells contain the point (a projection of skills,
/// home and radius, keyset-paged; the query checks their reach, <see cref="WorkerReach"/>), then the exact radius rule — so it
/// reads the workers who reach the point, not the city.
/// </summary>
public sealed class NearbyOffers(CosmosDb db)
{
    private sealed record NearbyWorker(string Id, IReadOnlyList<string> SkillItemIds, GeoLocation? HomeBase, double ServiceRadiusKm);

    /// <summary>Item id → km from the point to the nearest covering worker's home base who offers it.</summary>
    public async Task<Dictionary<string, double>> NearestByItemAsync(string cityId, GeoPoint point, CancellationToken ct)
    {
        var keys = GeoCells.Keys(point);
        var parameters = new Dictionary<string, object> { ["@approved"] = "approved", ["@city"] = cityId };
        for (var i = 0; i < keys.Count; i++)
        {
            parameters[$"@cell{i}"] = keys[i];
        }

        var workers = await db.Workers.QueryAllByKeyAsync<NearbyWorker>("c.id, c.skillItemIds, c.homeBase, c.serviceRadiusKm",
            "c.type = 'worker' AND c.status = @approved AND c.accepting = true AND c.cityId = @city AND (" +
            string.Join(" OR ", keys.Select((_, i) => $"ARRAY_CONTAINS(c.geoCells, @cell{i})")) + ") AND " + WorkerReach.Condition(point, parameters),
            parameters, "id", w => w.Id, ct);
        var nearest = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var w in workers)
        {
            if (w.HomeBase is null)
            {
                continue;
            }

            var meters = w.HomeBase.ToPoint().DistanceMetersTo(point);
            if (meters > w.ServiceRadiusKm * 1000)
            {
                continue;
            }

            foreach (var item in w.SkillItemIds)
            {
                if (!nearest.TryGetValue(item, out var km) || meters / 1000 < km)
                {
                    nearest[item] = meters / 1000;
                }
            }
        }

        return nearest;
    }
}
