namespace HomeService.Domain.Scheduling;

/// <summary>A half-open UTC interval [Start, End).</summary>
public readonly record struct TimeWindow(DateTimeOffset Start, DateTimeOffset End);

public static class WorkingWindows
{
    /// <summary>
    /// UTC working windows for local dates <paramref name="from"/>..<paramref name="to"/> (inclusive), sorted and
    /// merged where they touch (a shift ending at 24:00 joins one starting at 00:00). Local edges are converted
    /// with <see cref="ZoneTime"/>, so a shift across a DST change is as long as the clock says it really is.
    /// Assumes a validated plan.
    /// </summary>
    public static IReadOnlyList<TimeWindow> For(
        WeeklyPlan plan, IReadOnlyList<DateException> exceptions, DateOnly from, DateOnly to, TimeZoneInfo zone) =>
        For(new CompiledPlan(plan, exceptions), new LocalDays(zone, from, to), from, to);

    internal static List<TimeWindow> For(CompiledPlan plan, LocalDays days, DateOnly from, DateOnly to)
    {
        var windows = new List<TimeWindow>();
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            foreach (var (start, end) in plan.MinutesOn(date))
            {
                var s = days.ToUtc(date, start);
                var e = days.ToUtc(date, end);
                if (e <= s) continue; // an interval swallowed whole by a DST gap
                if (windows.Count > 0 && windows[^1].End >= s)
                {
                    if (e > windows[^1].End) windows[^1] = windows[^1] with { End = e };
                }
                else windows.Add(new TimeWindow(s, e));
            }
        }
        return windows;
    }
}

/// <summary>A plan reduced to sorted minute-of-day intervals per weekday, plus exceptions by date.</summary>
internal sealed class CompiledPlan
{
    private readonly (int Start, int End)[][] _weekdays = new (int, int)[7][];
    private readonly Dictionary<DateOnly, (int Start, int End)[]> _exceptions = [];

    public CompiledPlan(WeeklyPlan plan, IReadOnlyList<DateException> exceptions) : this(plan, exceptions, DateOnly.MinValue, DateOnly.MaxValue)
    {
    }

    /// <summary>
    /// The plan compiled for the local dates <paramref name="from"/>..<paramref name="to"/> only: weekdays that do not
    /// occur in the range and exceptions outside it are skipped (a one-slot check needs two days, not the whole week),
    /// so <see cref="MinutesOn"/> answers only for dates in that range.
    /// </summary>
    public CompiledPlan(WeeklyPlan plan, IReadOnlyList<DateException> exceptions, DateOnly from, DateOnly to)
    {
        for (var d = 0; d < 7; d++) _weekdays[d] = [];
        var wholeWeek = to.DayNumber - from.DayNumber >= 6;
        foreach (var day in plan.Days)
        {
            if (!wholeWeek && !Occurs(day.Day, from, to)) continue;
            _weekdays[(int)day.Day] = Subtract(Normalize(day.Work), Normalize(day.Breaks ?? []));
        }
        foreach (var ex in exceptions)
        {
            if (ex.Date < from || ex.Date > to) continue;
            var hours = Normalize(ex.Hours ?? []);
            _exceptions[ex.Date] = ex.Kind switch
            {
                DateExceptionKind.DayOff => [],
                DateExceptionKind.ReplaceHours => hours,
                _ => Normalize([.. _weekdays[(int)ex.Date.DayOfWeek], .. hours]),
            };
        }
    }

    /// <summary>Whether <paramref name="day"/> is the weekday of a date in from..to (a range shorter than a week).</summary>
    private static bool Occurs(DayOfWeek day, DateOnly from, DateOnly to)
    {
        var offset = ((int)day - (int)from.DayOfWeek + 7) % 7;
        return offset <= to.DayNumber - from.DayNumber;
    }

    public (int Start, int End)[] MinutesOn(DateOnly date) =>
        _exceptions.TryGetValue(date, out var hours) ? hours : _weekdays[(int)date.DayOfWeek];

    private static (int, int)[] Normalize(IReadOnlyList<LocalInterval> intervals)
    {
        var raw = new (int Start, int End)[intervals.Count];
        for (var i = 0; i < raw.Length; i++) raw[i] = (intervals[i].StartMinute, intervals[i].EndMinute);
        return Normalize(raw);
    }

    private static (int, int)[] Normalize(IEnumerable<(int Start, int End)> intervals) => Normalize(intervals.ToArray());

    /// <summary>Sorted, merged, non-empty intervals. Plain loops: this runs per worker per availability query.</summary>
    private static (int, int)[] Normalize((int Start, int End)[] intervals)
    {
        Array.Sort(intervals);
        var merged = new List<(int Start, int End)>(intervals.Length);
        foreach (var (s, e) in intervals)
        {
            if (e <= s) continue;
            if (merged.Count > 0 && merged[^1].End >= s)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, e));
            else merged.Add((s, e));
        }
        return [.. merged];
    }

    private static (int, int)[] Subtract((int Start, int End)[] work, (int Start, int End)[] breaks)
    {
        var result = new List<(int, int)>();
        foreach (var (ws, we) in work)
        {
            var cursor = ws;
            foreach (var (bs, be) in breaks)
            {
                if (be <= cursor || bs >= we) continue;
                if (bs > cursor) result.Add((cursor, bs));
                cursor = Math.Max(cursor, be);
            }
            if (cursor < we) result.Add((cursor, we));
        }
        return [.. result];
    }
}

/// <summary>
/// Per-query cache of local midnights: on a day without an offset change, local minute m is midnight + m,
/// which avoids a time-zone lookup per window edge. Days with a change fall back to <see cref="ZoneTime"/>.
/// </summary>
internal sealed class LocalDays
{
    private readonly TimeZoneInfo _zone;
    private readonly DateOnly _first;
    private readonly DateTimeOffset?[] _uniformMidnights;

    public LocalDays(TimeZoneInfo zone, DateOnly from, DateOnly to)
    {
        _zone = zone;
        _first = from;
        _uniformMidnights = new DateTimeOffset?[Math.Max(0, to.DayNumber - from.DayNumber + 1)];
        for (var i = 0; i < _uniformMidnights.Length; i++)
        {
            var date = from.AddDays(i);
            var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            var next = midnight.AddDays(1);
            // Equal offsets at both midnights and clean midnights: no change during the day (zones never change twice a day).
            if (!zone.IsInvalidTime(midnight) && !zone.IsAmbiguousTime(midnight) &&
                !zone.IsInvalidTime(next) && !zone.IsAmbiguousTime(next) &&
                zone.GetUtcOffset(midnight) == zone.GetUtcOffset(next))
                _uniformMidnights[i] = ZoneTime.ToUtc(midnight, zone);
        }
    }

    public DateTimeOffset ToUtc(DateOnly date, int minuteOfDay)
    {
        var i = date.DayNumber - _first.DayNumber;
        return (uint)i < (uint)_uniformMidnights.Length && _uniformMidnights[i] is { } midnight
            ? midnight.AddMinutes(minuteOfDay)
            : ZoneTime.ToUtc(date, minuteOfDay, _zone);
    }
}
