using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;

namespace HomeService.Benchmarks;

/// <summary>
/// A seeded, realistic city: workers within ~15 km of the centre, plans of 8–10 h with a lunch break and one
/// or two days off, and 2–6 bookings a day for 30 days placed without calendar conflicts.
/// </summary>
public static class CityGenerator
{
    public static readonly GeoPoint Centre = new(31.2304, 121.4737);
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    public static readonly ServiceItemSpec Item = new("clean-2h", 120, 15);

    public static List<CandidateWorker> Workers(int count, DateOnly firstDay, int days, int seed)
    {
        var rng = new Random(seed);
        var workers = new List<CandidateWorker>(count);
        for (var i = 0; i < count; i++)
        {
            var id = $"w{i:D4}";
            var home = Around(rng, 15);
            var startHour = rng.Next(7, 11);
            var length = rng.Next(8, 11);
            var daysOff = new HashSet<DayOfWeek> { (DayOfWeek)rng.Next(7) };
            if (rng.Next(2) == 0) daysOff.Add((DayOfWeek)rng.Next(7));
            var plan = new WeeklyPlan([.. Enum.GetValues<DayOfWeek>().Where(d => !daysOff.Contains(d)).Select(d => new DayPlan(d,
                [new LocalInterval(new TimeOnly(startHour, 0), new TimeOnly(startHour + length, 0))],
                [new LocalInterval(new TimeOnly(12, 0), new TimeOnly(13, 0))]))]);

            var calendar = WorkerCalendar.Empty(id);
            for (var d = 0; d < days; d++)
            {
                var date = firstDay.AddDays(d);
                var bookings = rng.Next(2, 7);
                var placed = 0;
                for (var b = 0; b < bookings * 3 && placed < bookings; b++)
                {
                    var start = ZoneTime.ToUtc(date, new TimeOnly(startHour, 0), Zone).AddMinutes(30 * rng.Next(0, length * 2 - 2));
                    var reservation = new Reservation($"{id}-{d}-{b}", start, start.AddMinutes(60 * rng.Next(1, 4)), Around(rng, 15));
                    if (WorkerCalendar.TryReserve(calendar, reservation, TravelRules.Default, 15) is CalendarChange.Applied applied)
                    {
                        calendar = applied.Calendar;
                        placed++;
                    }
                }
            }
            workers.Add(new CandidateWorker(id, Approved: true, Accepting: rng.Next(20) != 0,
                [new OfferedItem(Item.ItemId, rng.Next(4) == 0 ? 9900 : null)], home, ServiceRadiusKm: rng.Next(10, 31),
                plan, [new DateException(firstDay.AddDays(rng.Next(days)), DateExceptionKind.DayOff)], calendar, Rating: 3.5 + rng.NextDouble() * 1.5));
        }
        return workers;
    }

    /// <summary>A point uniformly spread within <paramref name="radiusKm"/> of <paramref name="centre"/> (the city centre by default).</summary>
    public static GeoPoint Around(Random rng, double radiusKm, GeoPoint? centre = null)
    {
        var c = centre ?? Centre;
        var r = radiusKm * Math.Sqrt(rng.NextDouble());
        var angle = rng.NextDouble() * 2 * Math.PI;
        return new GeoPoint(c.Latitude + r * Math.Cos(angle) / 111.0, c.Longitude + r * Math.Sin(angle) / (111.0 * Math.Cos(c.Latitude * Math.PI / 180)));
    }
}
