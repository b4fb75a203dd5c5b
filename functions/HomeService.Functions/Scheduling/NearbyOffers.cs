using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Workers;

namespace HomeService.Functions.Scheduling;

/// <summary>
/// What is offered near a point: for each item, the distance to the nearest bookable worker of the city who offers it and
/// whose area covers the point — exact, at a cost that follows the workers near the point, not the city. Two keyset-paged
/// queries on the workers whose cells contain the point and whose radius reaches it (<see cref="WorkerReach"/>; a projection
/// of skills, home and radius): first every such worker living in the 3 × 3 block of precision-6 cells around the point
/// (≈ 2–4 km), which gives each item found there a nearest distance; then, outside that block, only those who can still
/// change an answer — workers offering an item the block did not have, and workers offering a found item nearer than its
/// distance so far. In a dense city the second read is small (few workers are nearer than the block's nearest); in a sparse
/// one both are.
/// </summary>
public sealed class NearbyOffers(CosmosDb db)
{
    private sealed record NearbyWorker(string Id, IReadOnlyList<string> SkillItemIds, GeoLocation? HomeBase, double ServiceRadiusKm);

    /// <summary>Item id → km from the point to the nearest covering worker's home base who offers it.</summary>
    public async Task<Dictionary<string, double>> NearestByItemAsync(string cityId, GeoPoint point, CancellationToken ct)
    {
        var keys = GeoCells.Keys(point);
        var parameters = new Dictionary<string, object>
        {
            ["@approved"] = "approved", ["@city"] = cityId, ["@block"] = GeoCells.Neighborhood(point, GeoCells.InnerRingPrecision),
        };
        for (var i = 0; i < keys.Count; i++)
        {
            parameters[$"@cell{i}"] = keys[i];
        }

        var covering = "c.type = 'worker' AND c.status = @approved AND c.accepting = true AND c.cityId = @city AND (" +
                       string.Join(" OR ", keys.Select((_, i) => $"ARRAY_CONTAINS(c.geoCells, @cell{i})")) + ") AND " + WorkerReach.Condition(point, parameters);
        var meters = new Dictionary<string, double>(StringComparer.Ordinal);
        Take(await ReadAsync(covering + " AND ARRAY_CONTAINS(@block, c.homeCell6)", parameters, ct), point, meters);

        // Outside the block: a worker matters only if they offer an item the block had no one for, or a found item nearer than
        // its nearest so far (the flat-earth distance, with the reach check's slack so no nearer one is missed; Take decides).
        var outside = new System.Text.StringBuilder(covering)
            .Append(" AND (NOT IS_DEFINED(c.homeCell6) OR NOT ARRAY_CONTAINS(@block, c.homeCell6))")
            .Append(" AND (EXISTS(SELECT VALUE s FROM s IN c.skillItemIds WHERE NOT ARRAY_CONTAINS(@found, s))");
        parameters["@found"] = meters.Keys.ToArray();
        var k = 0;
        foreach (var (item, nearest) in meters)
        {
            outside.Append($" OR (ARRAY_CONTAINS(c.skillItemIds, @item{k}) AND ").Append(WorkerReach.Within(nearest * WorkerReach.Slack, $"@near{k}", parameters)).Append(')');
            parameters[$"@item{k}"] = item;
            k++;
        }

        Take(await ReadAsync(outside.Append(')').ToString(), parameters, ct), point, meters);
        return meters.ToDictionary(m => m.Key, m => m.Value / 1000, StringComparer.Ordinal);
    }

    private Task<List<NearbyWorker>> ReadAsync(string where, Dictionary<string, object> parameters, CancellationToken ct) =>
        db.Workers.QueryAllByKeyAsync<NearbyWorker>("c.id, c.skillItemIds, c.homeBase, c.serviceRadiusKm", where, parameters, "id", w => w.Id, ct);

    /// <summary>Each row within its own radius (the exact rule) lowers the nearest distance of the items it offers.</summary>
    private static void Take(List<NearbyWorker> workers, GeoPoint point, Dictionary<string, double> meters)
    {
        foreach (var w in workers)
        {
            if (w.HomeBase is null)
            {
                continue;
            }

            var distance = w.HomeBase.ToPoint().DistanceMetersTo(point);
            if (distance > w.ServiceRadiusKm * 1000)
            {
                continue;
            }

            foreach (var item in w.SkillItemIds)
            {
                if (!meters.TryGetValue(item, out var m) || distance < m)
                {
                    meters[item] = distance;
                }
            }
        }
    }
}
