using System.Net;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Seed;

/// <summary>
/// Demo workers (Seed:Demo=true, local runs only): approved, accepting, with weekly plans, so the demo
/// catalog can be booked right away. Fixed ids; a seed never overwrites what a run has changed since.
/// </summary>
internal static class DemoWorkers
{
    internal sealed record Demo(string Id, string Name, string Gender, int Years, double Lat, double Lng, string[] Items, string From, string To);

    private static readonly Demo[] Workers =
    [
        new("demo-worker-wang", "王秀英", "female", 8, 31.2304, 121.4737, ["daily-cleaning-2h", "daily-cleaning-3h", "kitchen-deep-cleaning", "bathroom-deep-cleaning"], "08:00", "18:00"),
        new("demo-worker-li", "李建国", "male", 12, 31.2200, 121.4450, ["ac-cleaning-wall", "ac-repair", "washing-machine-cleaning", "refrigerator-repair"], "09:00", "20:00"),
        new("demo-worker-zhang", "张丽", "female", 5, 31.2400, 121.4990, ["daily-cleaning-2h", "move-in-cleaning-100", "tuina-60"], "10:00", "21:00"),
    ];

    public static async Task SeedAsync(CosmosDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var w in Workers)
        {
            await CreateIfAbsentAsync(db.Users, w.Id, new UserDocument { Id = w.Id, Roles = [Roles.Customer, Roles.Worker], Nickname = w.Name, CreatedAt = now }, ct);
            await CreateIfAbsentAsync(db.Workers, w.Id, new WorkerDocument
            {
                Id = w.Id,
                Status = AuditStatus.Approved,
                RealName = w.Name,
                IdNumberMasked = "310***********0000",
                IdNumberHash = $"demo:{w.Id}",
                Gender = w.Gender,
                CityId = "shanghai",
                Skills = [.. w.Items.Select(i => new WorkerSkill(i, null))],
                SkillItemIds = w.Items,
                YearsOfExperience = w.Years,
                Intro = "Demo worker",
                ServiceRadiusKm = 15,
                HomeBase = new GeoLocation(w.Lat, w.Lng),
                Accepting = true,
                Rating = new RatingSummary(4.8, 120),
                CreatedAt = now,
            }, ct);
            var days = Enum.GetValues<DayOfWeek>()
                .Select(d => new DayPlanDto(d, [new IntervalDto(w.From, w.To)], [new IntervalDto("12:00", "13:00")]))
                .ToArray();
            await CreateIfAbsentAsync(db.Schedules, w.Id, new PlanDocument { WorkerId = w.Id, Days = days, UpdatedAt = now }, ct);
        }
    }

    public static int Count => Workers.Length;

    /// <summary>The demo workers as seeded (part of the seed's version, <see cref="DemoCatalogSeeder.Version"/>).</summary>
    public static IReadOnlyList<Demo> Fingerprint => Workers;

    private static async Task CreateIfAbsentAsync<T>(Container container, string partitionKey, T document, CancellationToken ct)
    {
        try
        {
            await container.CreateItemAsync(document, new PartitionKey(partitionKey), cancellationToken: ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Seeded before: keep whatever the demo has done with it since.
        }
    }
}
