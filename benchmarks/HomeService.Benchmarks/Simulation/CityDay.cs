using HomeService.Domain.Common;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Scheduling;

namespace HomeService.Benchmarks.Simulation;

/// <summary>A bookable service of the simulated catalogue.</summary>
public sealed record SimItem(ServiceItemSpec Spec, long PriceFen, double Share);

/// <summary>A worker of the simulated city: the domain's view of them plus how willing they are to take an offer.</summary>
public sealed record SimWorker(int Index, CandidateWorker Domain, double AcceptPropensity, OfferHistory PastOffers);

/// <summary>An order: when the customer books, the start they ask for, where, what.</summary>
public sealed record SimOrder(int Index, string Id, DateTimeOffset BookedAt, DateTimeOffset Start, GeoPoint Location, SimItem Item)
{
    public DateTimeOffset End => Start.AddMinutes(Item.Spec.DurationMinutes);
}

/// <summary>
/// One seeded city day (Shanghai, a Tuesday): workers with homes, service radii, weekly plans with a lunch break, 1–3
/// skills, ratings, an acceptance propensity and the offer history it produced; orders booked 06:00–17:00 with a
/// morning and an early-afternoon peak, 2–5 h ahead, half of them in five dense districts.
/// </summary>
public sealed record CityDay(DateOnly Date, IReadOnlyList<SimItem> Items, IReadOnlyList<SimWorker> Workers, IReadOnlyList<SimOrder> Orders)
{
    public static readonly TimeZoneInfo Zone = CityGenerator.Zone;
    public static readonly TravelRules Travel = TravelRules.Default;
    public const double CommissionRate = 0.10;
    public const double CityRadiusKm = 20;

    public static CityDay Generate(int workers, int orders, int seed)
    {
        var rng = new Random(seed);
        var date = new DateOnly(2026, 3, 10);
        SimItem[] items =
        [
            new(new ServiceItemSpec("clean-1h", 60, 15), 6_000, 0.40),
            new(new ServiceItemSpec("repair-1h", 60, 15), 9_000, 0.20),
            new(new ServiceItemSpec("clean-2h", 120, 15), 12_000, 0.30),
            new(new ServiceItemSpec("deep-clean-3h", 180, 15), 20_000, 0.10),
        ];
        var districts = Enumerable.Range(0, 5).Select(_ => CityGenerator.Around(rng, 12)).ToArray();

        var ws = new List<SimWorker>(workers);
        for (var i = 0; i < workers; i++)
        {
            var id = $"w{i:D5}";
            var home = rng.NextDouble() < 0.5 ? CityGenerator.Around(rng, 4, districts[rng.Next(districts.Length)]) : CityGenerator.Around(rng, CityRadiusKm);
            var startHour = rng.Next(7, 11);
            var length = rng.Next(8, 11);
            var daysOff = new HashSet<DayOfWeek> { (DayOfWeek)rng.Next(7) };
            var plan = new WeeklyPlan([.. Enum.GetValues<DayOfWeek>().Where(d => !daysOff.Contains(d)).Select(d => new DayPlan(d,
                [new LocalInterval(new TimeOnly(startHour, 0), new TimeOnly(Math.Min(21, startHour + length), 0))],
                [new LocalInterval(new TimeOnly(12, 0), new TimeOnly(13, 0))]))]);
            var skills = items.Where((_, k) => k == 0 ? rng.NextDouble() < 0.8 : rng.NextDouble() < 0.4).ToList();
            if (skills.Count == 0) skills.Add(items[rng.Next(items.Length)]);
            var propensity = 0.55 + 0.43 * rng.NextDouble();
            // The history the app would have learned: the last 20 offers answered with this propensity.
            var history = OfferHistory.Empty;
            for (var k = 0; k < 20; k++)
            {
                var outcome = rng.NextDouble() < propensity ? OfferOutcome.Accepted : rng.Next(2) == 0 ? OfferOutcome.Rejected : OfferOutcome.Expired;
                history = history.With(new OfferRecord($"past-{i}-{k}", 1, outcome, ZoneTime.ToUtc(date.AddDays(-1 - k), new TimeOnly(10, 0), Zone)))!;
            }

            var domain = new CandidateWorker(id, Approved: true, Accepting: true, [.. skills.Select(s => new OfferedItem(s.Spec.ItemId))], home,
                ServiceRadiusKm: rng.Next(6, 16), plan, [], WorkerCalendar.Empty(id), Rating: Math.Round(3.5 + 1.5 * Math.Sqrt(rng.NextDouble()), 2));
            ws.Add(new SimWorker(i, domain, propensity, history));
        }

        var os = new List<SimOrder>(orders);
        var dayStart = ZoneTime.ToUtc(date, new TimeOnly(0, 0), Zone);
        for (var i = 0; i < orders; i++)
        {
            // Bookings peak around 08:30 and 13:00 on a flat base from 06:00 to 17:00.
            var u = rng.NextDouble();
            var hour = u < 0.4 ? Normal(rng, 8.5, 1.0) : u < 0.75 ? Normal(rng, 13, 1.2) : 6 + 11 * rng.NextDouble();
            hour = Math.Clamp(hour, 6, 17);
            var bookedAt = dayStart.AddMinutes(Math.Round(hour * 60, 1));
            var item = Pick(rng, items);
            var earliest = bookedAt.AddMinutes(120);
            var grid = dayStart.AddMinutes(Math.Ceiling((earliest - dayStart).TotalMinutes / 30) * 30);
            var start = grid.AddMinutes(30 * rng.Next(0, 7));
            var latest = dayStart.AddHours(20).AddMinutes(-item.Spec.DurationMinutes);
            if (start > latest && grid <= latest) start = latest;
            var location = rng.NextDouble() < 0.5 ? CityGenerator.Around(rng, 4, districts[rng.Next(districts.Length)]) : CityGenerator.Around(rng, CityRadiusKm);
            os.Add(new SimOrder(i, $"o{i:D5}", bookedAt, start, location, item));
        }

        os.Sort((a, b) => a.BookedAt != b.BookedAt ? a.BookedAt.CompareTo(b.BookedAt) : a.Index.CompareTo(b.Index));
        return new CityDay(date, items, ws, [.. os.Select((o, k) => o with { Index = k })]);
    }

    private static double Normal(Random rng, double mean, double sd) =>
        mean + sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static SimItem Pick(Random rng, SimItem[] items)
    {
        var u = rng.NextDouble();
        foreach (var item in items)
        {
            if ((u -= item.Share) < 0) return item;
        }

        return items[^1];
    }

    /// <summary>Road kilometres between two points as the city's travel rules see them (straight line × road factor).</summary>
    public static double RoadKm(GeoPoint a, GeoPoint b) => a.DistanceMetersTo(b) * Travel.RoadFactor / 1000;
}
