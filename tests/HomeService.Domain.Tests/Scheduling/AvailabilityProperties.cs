using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;

namespace HomeService.Domain.Tests.Scheduling;

public sealed record Scenario(AvailabilityQuery Query, IReadOnlyList<CandidateWorker> Workers)
{
    public override string ToString() =>
        $"{Query.Zone.Id} {Query.From}..{Query.To} now={Query.Now.UtcDateTime.ToString("s")} item={Query.Item} rules={Query.Rules} address={Query.Address}\n" +
        string.Join("\n", Workers.Select(w =>
            $"{w.WorkerId} ok={w.Approved && w.Accepting} items={string.Join(",", w.Items.Select(i => i.ItemId))} home={w.HomeBase} r={w.ServiceRadiusKm}km " +
            $"plan=[{string.Join(" ", w.Plan.Days.Select(d => $"{d.Day}:{string.Join(",", d.Work)} breaks:{string.Join(",", d.Breaks ?? Array.Empty<LocalInterval>())}"))}] " +
            $"ex=[{string.Join(" ", w.Exceptions.Select(e => $"{e.Date}:{e.Kind}:{string.Join(",", e.Hours ?? Array.Empty<LocalInterval>())}"))}] " +
            $"cal=[{string.Join(" ", w.Calendar.Reservations.Select(r => $"{r.Start.UtcDateTime.ToString("s")}-{r.End.UtcDateTime.ToString("s")}@{r.Location}"))}]"));
}

public static class ScenarioArbitrary
{
    private static readonly GeoPoint Centre = new(31.2304, 121.4737);
    private static readonly TimeZoneInfo[] ZoneChoices = [Zones.Shanghai, Zones.Berlin, Zones.NewYork];
    // Ordinary days and DST changes in both directions for both DST zones.
    private static readonly DateOnly[] Anchors = [new(2025, 3, 30), new(2025, 10, 26), new(2025, 3, 9), new(2025, 11, 2), new(2025, 6, 4)];

    public static Arbitrary<Scenario> Scenarios() => Arb.From(ScenarioGen);

    private static Gen<GeoPoint> Near(double spread) =>
        from dLat in Gen.Choose(-1000, 1000)
        from dLon in Gen.Choose(-1000, 1000)
        select new GeoPoint(Centre.Latitude + dLat * spread / 1000, Centre.Longitude + dLon * spread / 1000);

    /// <summary>Non-overlapping quarter-hour intervals, built from sorted distinct breakpoints (96 = 24:00).</summary>
    private static Gen<LocalInterval[]> Intervals(int maxPairs) =>
        from n in Gen.Choose(0, maxPairs)
        from points in Gen.Choose(0, 96).ArrayOf(2 * n)
        let sorted = points.Distinct().Order().ToArray()
        select Enumerable.Range(0, sorted.Length / 2)
            .Select(i => new LocalInterval(Quarter(sorted[2 * i]), Quarter(sorted[2 * i + 1])))
            .ToArray();

    private static TimeOnly Quarter(int q) => q >= 96 ? TimeOnly.MinValue : new TimeOnly(q / 4, q % 4 * 15);

    private static Gen<DayPlan> Day(DayOfWeek day) =>
        from work in Intervals(2)
        from withBreak in Gen.Elements(true, false, false)
        let first = work.FirstOrDefault()
        let breakLen = first.End == TimeOnly.MinValue ? 0 : (first.End - first.Start).TotalMinutes
        select new DayPlan(day, work,
            withBreak && work.Length > 0 && breakLen >= 60
                ? [new LocalInterval(first.Start.AddMinutes(30), first.Start.AddMinutes(60))]
                : null);

    private static Gen<Reservation> Booking(DateTimeOffset around, int i) =>
        from startQ in Gen.Choose(-96, 4 * 96)
        from minutes in Gen.Elements(30, 60, 120, 240)
        from at in Near(0.08)
        let start = around.AddMinutes(startQ * 15)
        select new Reservation($"o{i}", start, start.AddMinutes(minutes), at);

    private static Gen<CandidateWorker> Worker(int index, DateOnly firstDate, int days, TimeZoneInfo zone, string itemId) =>
        from ok in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
        from offers in Gen.Frequency((9, Gen.Constant(itemId)), (1, Gen.Constant("other")))
        from home in Near(0.1)
        from radius in Gen.Choose(5, 25)
        from plan in Gen.CollectToArray(Enum.GetValues<DayOfWeek>(), Day)
        from exceptionFlags in Gen.Choose(0, 3).ArrayOf(days)
        from exceptionHours in Intervals(2).Where(h => h.Length > 0).ArrayOf(days)
        from bookingCount in Gen.Choose(0, 6)
        from bookings in Gen.CollectToArray(Enumerable.Range(0, bookingCount), i => Booking(ZoneTime.ToUtc(firstDate, 0, zone), i))
        select new CandidateWorker(
            $"w{index}", ok, true, [new OfferedItem(offers)], home, radius,
            new WeeklyPlan(plan),
            [.. Enumerable.Range(0, days).Where(d => exceptionFlags[d] > 0).Select(d => new DateException(
                firstDate.AddDays(d), (DateExceptionKind)(exceptionFlags[d] - 1),
                exceptionFlags[d] == 1 ? null : exceptionHours[d]))],
            new WorkerCalendar($"w{index}", [.. bookings.OrderBy(b => b.Start)]),
            4.5);

    private static readonly Gen<Scenario> ScenarioGen =
        from zone in Gen.Elements(ZoneChoices)
        from anchor in Gen.Elements(Anchors)
        from shift in Gen.Choose(-1, 0)
        from days in Gen.Choose(1, 3)
        let firstDate = anchor.AddDays(shift)
        from nowOffset in Gen.Choose(-24 * 60, 3 * 24 * 60)
        from notice in Gen.Elements(0, 60, 120)
        from horizon in Gen.Elements(1, 2, 30)
        from step in Gen.Elements(15, 30, 60)
        from duration in Gen.Elements(30, 60, 90, 120, 180)
        from buffer in Gen.Elements(0, 10, 30)
        from address in Near(0.1)
        from count in Gen.Choose(1, 4)
        from workers in Gen.CollectToArray(Enumerable.Range(0, count), i => Worker(i, firstDate, days, zone, "item"))
        from chosen in Gen.Frequency((4, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>("w0")))
        select new Scenario(
            new AvailabilityQuery(new ServiceItemSpec("item", duration, buffer), address, firstDate, firstDate.AddDays(days - 1), chosen,
                ZoneTime.ToUtc(firstDate, 0, zone).AddMinutes(nowOffset), zone, new AvailabilityRules(notice, horizon, step)),
            workers);
}

/// <summary>
/// Brute force over every UTC minute with the rules read literally: minute bitmaps per local day for the plan,
/// per-minute coverage for the window, and the pairwise gap rule for every reservation.
/// </summary>
internal static class Reference
{
    public static HashSet<(DateTimeOffset, string)> AllTakers(Scenario s)
    {
        var q = s.Query;
        var result = new HashSet<(DateTimeOffset, string)>();
        var first = ZoneTime.ToUtc(q.From, 0, q.Zone);
        var end = ZoneTime.ToUtc(q.To.AddDays(1), 0, q.Zone);
        var covered = s.Workers.ToDictionary(w => w.WorkerId, w => WorkingUtc(w, q.From.AddDays(-1), q.To.AddDays(2), q.Zone));
        for (var t = first; t < end; t = t.AddMinutes(1))
        {
            if (!OnGrid(t, q)) continue;
            foreach (var w in s.Workers)
                if (Takes(w, t, q, covered[w.WorkerId])) result.Add((t, w.WorkerId));
        }
        return result;
    }

    public static bool Takes(CandidateWorker w, DateTimeOffset t, AvailabilityQuery q, List<(DateTimeOffset S, DateTimeOffset E)> working)
    {
        if (q.WorkerId is not null && q.WorkerId != w.WorkerId) return false;
        if (!w.Approved || !w.Accepting || w.Items.All(i => i.ItemId != q.Item.ItemId)) return false;
        if (w.HomeBase.DistanceMetersTo(q.Address) > w.ServiceRadiusKm * 1000) return false;
        if (t < q.Now.AddMinutes(q.Rules.MinimumNoticeMinutes) || t >= q.Now.AddDays(q.Rules.HorizonDays)) return false;
        for (var m = 0; m < q.Item.DurationMinutes; m++)
        {
            var minute = t.AddMinutes(m);
            if (!working.Any(i => i.S <= minute && minute < i.E)) return false;
        }
        var slotEnd = t.AddMinutes(q.Item.DurationMinutes);
        foreach (var r in w.Calendar.Reservations)
        {
            var slotFirst = t <= r.Start;
            var gap = slotFirst ? r.Start - slotEnd : t - r.End;
            var travel = slotFirst ? q.Rules.TravelOrDefault.MinutesBetween(q.Address, r.Location) : q.Rules.TravelOrDefault.MinutesBetween(r.Location, q.Address);
            if (gap < TimeSpan.FromMinutes(q.Item.BufferMinutes + travel)) return false;
        }
        return true;
    }

    public static bool OnGrid(DateTimeOffset t, AvailabilityQuery q)
    {
        var local = TimeZoneInfo.ConvertTime(t, q.Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        return date >= q.From && date <= q.To && (local.Hour * 60 + local.Minute) % q.Rules.StepMinutes == 0;
    }

    public static List<(DateTimeOffset, DateTimeOffset)> WorkingUtc(CandidateWorker w, DateOnly from, DateOnly to, TimeZoneInfo zone)
    {
        var result = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            var minutes = new bool[1440];
            var ex = w.Exceptions.FirstOrDefault(e => e.Date == d);
            if (ex is null || ex.Kind == DateExceptionKind.ExtraHours)
            {
                var day = w.Plan.Days.FirstOrDefault(p => p.Day == d.DayOfWeek);
                if (day is not null)
                {
                    Mark(minutes, day.Work, true);
                    Mark(minutes, day.Breaks ?? [], false);
                }
            }
            if (ex is { Kind: DateExceptionKind.ExtraHours or DateExceptionKind.ReplaceHours }) Mark(minutes, ex.Hours ?? [], true);
            for (var m = 0; m < 1440;)
            {
                if (!minutes[m]) { m++; continue; }
                var start = m;
                while (m < 1440 && minutes[m]) m++;
                result.Add((ZoneTime.ToUtc(d, start, zone), ZoneTime.ToUtc(d, m, zone)));
            }
        }
        return result;
    }

    private static void Mark(bool[] minutes, IEnumerable<LocalInterval> intervals, bool value)
    {
        foreach (var i in intervals)
        {
            var end = i.End == TimeOnly.MinValue ? 1440 : i.End.Hour * 60 + i.End.Minute;
            for (var m = i.Start.Hour * 60 + i.Start.Minute; m < end; m++) minutes[m] = value;
        }
    }
}

[Properties(Arbitrary = [typeof(ScenarioArbitrary)], MaxTest = 150)]
public class AvailabilityProperties
{
    private static IEnumerable<(DateTimeOffset, string)> Offered(AvailabilityResult result) =>
        result.Slots.SelectMany(s => s.WorkerIds.Select(w => (s.Start, w)));

    [Property]
    public void No_offered_slot_breaks_any_rule_for_the_worker_offered(Scenario scenario)
    {
        Assert.Empty(ScheduleValidation.Validate(scenario.Workers[0].Plan, scenario.Workers[0].Exceptions));
        var reference = Reference.AllTakers(scenario);
        var result = AvailabilityCalculator.Find(scenario.Query, scenario.Workers);

        Assert.True(result.IsValid);
        var unsound = Offered(result).Where(p => !reference.Contains(p)).ToList();
        Assert.Empty(unsound);
        Assert.All(result.Slots, s => Assert.True(s.WorkerCount > 0));
    }

    [Property]
    public void Every_start_some_worker_can_take_is_offered_with_that_worker(Scenario scenario)
    {
        var reference = Reference.AllTakers(scenario);
        var offered = Offered(AvailabilityCalculator.Find(scenario.Query, scenario.Workers)).ToHashSet();

        var missing = reference.Where(p => !offered.Contains(p)).ToList();
        Assert.Empty(missing);
    }

    [Property]
    public void Can_worker_take_agrees_with_find_on_every_grid_start(Scenario scenario)
    {
        var q = scenario.Query;
        var offered = Offered(AvailabilityCalculator.Find(q, scenario.Workers)).ToHashSet();
        var starts = offered.Select(p => p.Item1).Distinct().Take(20).ToList();
        foreach (var w in scenario.Workers.Where(w => q.WorkerId is null || w.WorkerId == q.WorkerId))
            foreach (var t in starts)
                Assert.Equal(offered.Contains((t, w.WorkerId)),
                    AvailabilityCalculator.CanWorkerTake(w, q.Item, q.Address, t, q.Now, q.Zone, q.Rules) == SlotVerdict.Available);
    }

    [Property]
    public void Who_can_take_answers_what_can_worker_take_answers_for_each_worker(Scenario scenario)
    {
        var q = scenario.Query;
        // Every 45 minutes from the first local midnight: on and off the step grid, too soon and within the notice.
        var first = ZoneTime.ToUtc(q.From, 0, q.Zone);
        foreach (var t in Enumerable.Range(0, 64).Select(i => first.AddMinutes(45 * i)))
        {
            var expected = Enumerable.Range(0, scenario.Workers.Count)
                .Where(i => AvailabilityCalculator.CanWorkerTake(scenario.Workers[i], q.Item, q.Address, t, q.Now, q.Zone, q.Rules) == SlotVerdict.Available)
                .ToList();
            Assert.Equal(expected, AvailabilityCalculator.WhoCanTake(scenario.Workers, q.Item, q.Address, t, q.Now, q.Zone, q.Rules));
        }
    }
}
