using System.Text;
using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Scheduling;

/// <summary>
/// What is offered near a point: for each item, the distance to the nearest bookable worker of the city who offers it and
/// whose area covers the point — exact, at a cost that follows the workers near the point, not the city. Queries on the
/// workers whose cells contain the point and whose radius reaches it (<see cref="WorkerReach"/>; a projection of skills,
/// home and radius): first the first <see cref="BlockRows"/> by id living in the 3 × 3 block of precision-6 cells around
/// the point (≈ 2–4 km), which gives each item found there a distance; then only those who can still change an answer —
/// workers offering an item not found yet, and workers offering a found item nearer than its distance so far — in the rest
/// of the block (when the first read was cut), then outside it (keyset-paged). In a dense area the first read's distances
/// are short, so few are nearer; in a sparse one every read is small.
/// </summary>
public sealed class NearbyOffers(CosmosDb db)
{
    /// <summary>The block's first read: enough rows for short distances to most items in a dense area, one page.</summary>
    internal const int BlockRows = 50;

    private const string Projection = "c.id, c.skillItemIds, c.homeBase, c.serviceRadiusKm";

    private sealed record NearbyWorker(string Id, IReadOnlyList<string> SkillItemIds, GeoLocation? HomeBase, double ServiceRadiusKm);

    /// <summary>Item id → km from the point to the nearest covering worker's home base who offers it.</summary>
    public async Task<Dictionary<string, double>> NearestByItemAsync(string cityId, GeoPoint point, CancellationToken ct)
    {
        var parameters = new Dictionary<string, object>
        {
            ["@approved"] = "approved", ["@city"] = cityId, ["@block"] = GeoCells.Neighborhood(point, GeoCells.InnerRingPrecision),
        };
        var covering = "c.type = 'worker' AND c.status = @approved AND c.accepting = true AND c.cityId = @city AND " +
                       WorkerReach.Covering(point, parameters, orWithoutCells: false);
        var inBlock = covering + " AND ARRAY_CONTAINS(@block, c.homeCell6)";
        var meters = new Dictionary<string, double>(StringComparer.Ordinal);

        var first = new QueryDefinition($"SELECT TOP {BlockRows} {Projection} FROM c WHERE {inBlock} ORDER BY c.id").WithParameters(parameters);
        var firstRows = await db.Workers.QueryAllAsync<NearbyWorker>(first, null, ct);
        Take(firstRows, point, meters);
        if (firstRows.Count == BlockRows)
        {
            var rest = new Dictionary<string, object>(parameters) { ["@blockAfter"] = firstRows[^1].Id };
            Take(await ReadAsync($"{inBlock} AND c.id > @blockAfter AND {Changes(meters, rest)}", rest, ct), point, meters);
        }

        var outside = new Dictionary<string, object>(parameters);
        Take(await ReadAsync($"{covering} AND (NOT IS_DEFINED(c.homeCell6) OR NOT ARRAY_CONTAINS(@block, c.homeCell6)) AND {Changes(meters, outside)}", outside, ct),
            point, meters);
        return meters.ToDictionary(m => m.Key, m => m.Value / 1000, StringComparer.Ordinal);
    }

    /// <summary>
    /// Workers who can still change an answer: offering an item not found yet, or a found item nearer than its distance so far
    /// (the flat-earth distance with the reach check's slack, so no nearer one is missed; <see cref="Take"/> decides).
    /// </summary>
    private static string Changes(Dictionary<string, double> meters, Dictionary<string, object> parameters)
    {
        parameters["@found"] = meters.Keys.ToArray();
        var text = new StringBuilder("(EXISTS(SELECT VALUE s FROM s IN c.skillItemIds WHERE NOT ARRAY_CONTAINS(@found, s))");
        var k = 0;
        foreach (var (item, nearest) in meters)
        {
            parameters[$"@item{k}"] = item;
            text.Append($" OR (ARRAY_CONTAINS(c.skillItemIds, @item{k}) AND ").Append(WorkerReach.Within(nearest * WorkerReach.Slack, $"@near{k}", parameters)).Append(')');
            k++;
        }

        return text.Append(')').ToString();
    }

    private Task<List<NearbyWorker>> ReadAsync(string where, Dictionary<string, object> parameters, CancellationToken ct) =>
        db.Workers.QueryAllByKeyAsync<NearbyWorker>(Projection, where, parameters, "id", w => w.Id, ct);

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
