using HomeService.Domain.Common;

namespace HomeService.Domain.Scheduling;

/// <summary>The bookable service item: how long a visit takes and the buffer kept around it.</summary>
public sealed record ServiceItemSpec(string ItemId, int DurationMinutes, int BufferMinutes);

/// <summary>A service item a worker offers, optionally at their own price.</summary>
public sealed record OfferedItem(string ItemId, long? OwnPriceFen = null);

/// <summary>Everything availability needs to know about one worker.</summary>
public sealed record CandidateWorker(
    string WorkerId,
    bool Approved,
    bool Accepting,
    IReadOnlyList<OfferedItem> Items,
    GeoPoint HomeBase,
    double ServiceRadiusKm,
    WeeklyPlan Plan,
    IReadOnlyList<DateException> Exceptions,
    WorkerCalendar Calendar,
    double Rating);

/// <summary>Per-city booking rules.</summary>
public sealed record AvailabilityRules(int MinimumNoticeMinutes = 120, int HorizonDays = 30, int StepMinutes = 30, TravelRules? Travel = null)
{
    public TravelRules TravelOrDefault => Travel ?? TravelRules.Default;
}

public sealed record AvailabilityQuery(
    ServiceItemSpec Item,
    GeoPoint Address,
    DateOnly From,
    DateOnly To,
    string? WorkerId,
    DateTimeOffset Now,
    TimeZoneInfo Zone,
    AvailabilityRules Rules);

/// <summary>A bookable start and the workers (in candidate order) who can take it.</summary>
public sealed record AvailableSlot(DateTimeOffset Start, IReadOnlyList<string> WorkerIds)
{
    public int WorkerCount => WorkerIds.Count;
}

public sealed record AvailabilityResult(IReadOnlyList<AvailableSlot> Slots, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

public enum SlotVerdict
{
    Available,
    WorkerNotEligible,
    ItemNotOffered,
    OutsideServiceRadius,
    NotOnStepGrid,
    TooSoon,
    BeyondHorizon,
    /// <summary>Outside working hours, or too close to another reservation once buffer and travel are added.</summary>
    Unavailable,
}

public static class AvailabilityCalculator
{
    public const int MaxRangeDays = 30;
    public const int MaxDurationMinutes = 12 * 60;

    public static IReadOnlyList<ValidationError> Validate(AvailabilityQuery query)
    {
        var errors = new List<ValidationError>();
        if (query.To < query.From) errors.Add(new("to", "before_from"));
        else if (query.To.DayNumber - query.From.DayNumber + 1 > MaxRangeDays) errors.Add(new("to", "range_too_long"));
        if (!GeoPoint.IsValid(query.Address.Latitude, query.Address.Longitude)) errors.Add(new("address", "invalid"));
        ValidateItem(query.Item, errors);
        ValidateRules(query.Rules, errors);
        return errors;
    }

    /// <summary>All bookable starts in the local date range, aligned to the step in local time, with the workers who can take each.</summary>
    public static AvailabilityResult Find(AvailabilityQuery query, IReadOnlyList<CandidateWorker> workers)
    {
        var errors = Validate(query);
        if (errors.Count > 0) return new AvailabilityResult([], errors);

        var (zone, rules) = (query.Zone, query.Rules);
        var lower = Max(ZoneTime.ToUtc(query.From, 0, zone), query.Now.AddMinutes(rules.MinimumNoticeMinutes));
        var upper = Min(ZoneTime.ToUtc(query.To.AddDays(1), 0, zone), query.Now.AddDays(rules.HorizonDays));
        var grid = StepGrid(lower, upper, zone, rules.StepMinutes);
        if (grid.Length == 0) return new AvailabilityResult([], []);

        var job = new Job(query.Item, query.Address, rules.TravelOrDefault, new LocalDays(zone, query.From, query.To.AddDays(1)), query.From, query.To.AddDays(1));
        var takers = new List<string>?[grid.Length];
        foreach (var worker in workers)
        {
            if (query.WorkerId is not null && worker.WorkerId != query.WorkerId) continue;
            if (Eligibility(worker, query.Item, query.Address) != SlotVerdict.Available) continue;
            FreeStarts(worker, job, grid, i => (takers[i] ??= []).Add(worker.WorkerId));
        }

        var slots = new List<AvailableSlot>();
        for (var i = 0; i < grid.Length; i++)
            if (takers[i] is { } ids) slots.Add(new AvailableSlot(new DateTimeOffset(grid[i], TimeSpan.Zero), ids));
        return new AvailabilityResult(slots, []);
    }

    /// <summary>Re-checks one start for one worker at booking time, through the same code path as <see cref="Find"/>.</summary>
    public static SlotVerdict CanWorkerTake(
        CandidateWorker worker, ServiceItemSpec item, GeoPoint address, DateTimeOffset start,
        DateTimeOffset now, TimeZoneInfo zone, AvailabilityRules rules)
    {
        var eligibility = Eligibility(worker, item, address);
        if (eligibility != SlotVerdict.Available) return eligibility;
        var slot = SlotRule(start, now, zone, rules);
        if (slot != SlotVerdict.Available) return slot;
        return IsFree(worker, SlotJob(item, address, start, zone, rules), [start.UtcTicks]) ? SlotVerdict.Available : SlotVerdict.Unavailable;
    }

    /// <summary>
    /// Indexes (ascending) of the <paramref name="workers"/> for whom <see cref="CanWorkerTake"/> answers Available, with
    /// the work they all share — notice, horizon, step grid, the slot's local days and their zone offsets — done once
    /// rather than per worker. Dispatch asks this of every eligible worker of a city for each offer.
    /// </summary>
    public static List<int> WhoCanTake(
        IReadOnlyList<CandidateWorker> workers, ServiceItemSpec item, GeoPoint address, DateTimeOffset start,
        DateTimeOffset now, TimeZoneInfo zone, AvailabilityRules rules)
    {
        var free = new List<int>();
        if (SlotRule(start, now, zone, rules) != SlotVerdict.Available) return free;
        var job = SlotJob(item, address, start, zone, rules);
        long[] grid = [start.UtcTicks];
        for (var i = 0; i < workers.Count; i++)
            if (Eligibility(workers[i], item, address) == SlotVerdict.Available && IsFree(workers[i], job, grid)) free.Add(i);
        return free;
    }

    /// <summary>The rules on the start alone: notice, horizon, the step grid in local time.</summary>
    private static SlotVerdict SlotRule(DateTimeOffset start, DateTimeOffset now, TimeZoneInfo zone, AvailabilityRules rules)
    {
        if (start < now.AddMinutes(rules.MinimumNoticeMinutes)) return SlotVerdict.TooSoon;
        if (start >= now.AddDays(rules.HorizonDays)) return SlotVerdict.BeyondHorizon;
        return IsOnGrid(start, zone, rules.StepMinutes) ? SlotVerdict.Available : SlotVerdict.NotOnStepGrid;
    }

    /// <summary>A one-start job: the start's local date and the next (a window may run past midnight).</summary>
    private static Job SlotJob(ServiceItemSpec item, GeoPoint address, DateTimeOffset start, TimeZoneInfo zone, AvailabilityRules rules)
    {
        var date = DateOnly.FromDateTime(ZoneTime.ToLocal(start, zone));
        return new Job(item, address, rules.TravelOrDefault, new LocalDays(zone, date, date.AddDays(1)), date, date.AddDays(1));
    }

    private static bool IsFree(CandidateWorker worker, Job job, long[] grid)
    {
        var found = false;
        FreeStarts(worker, job, grid, _ => found = true);
        return found;
    }

    private static SlotVerdict Eligibility(CandidateWorker worker, ServiceItemSpec item, GeoPoint address)
    {
        if (!worker.Approved || !worker.Accepting) return SlotVerdict.WorkerNotEligible;
        var offers = false;
        foreach (var offered in worker.Items)
            if (offered.ItemId == item.ItemId) { offers = true; break; }
        if (!offers) return SlotVerdict.ItemNotOffered;
        if (worker.HomeBase.DistanceMetersTo(address) > worker.ServiceRadiusKm * 1000d) return SlotVerdict.OutsideServiceRadius;
        return SlotVerdict.Available;
    }

    private sealed record Job(ServiceItemSpec Item, GeoPoint Address, TravelRules Travel, LocalDays Days, DateOnly FirstDate, DateOnly LastDate);

    /// <summary>
    /// Emits indexes of <paramref name="grid"/> (sorted UTC ticks) where [start, start+duration) fits inside one
    /// working window and clears every reservation. A reservation r clashes with the slot exactly when the slot
    /// overlaps [r.Start − pad, r.End + pad) with pad = buffer + travel(r, address) — the calendar's gap rule
    /// (<see cref="WorkerCalendar.Clash"/>) solved for the slot start. Windows minus those padded intervals are
    /// walked once against the grid: O(windows + reservations·log + slots) per worker.
    /// </summary>
    private static void FreeStarts(CandidateWorker worker, Job job, long[] grid, Action<int> emit)
    {
        var duration = TimeSpan.FromMinutes(job.Item.DurationMinutes).Ticks;
        var gridFirst = grid[0];
        var gridLast = grid[^1] + duration;

        var windows = WorkingWindows.For(new CompiledPlan(worker.Plan, worker.Exceptions, job.FirstDate, job.LastDate), job.Days, job.FirstDate, job.LastDate);
        // Off the whole range: no reservation needs looking at.
        if (windows.Count == 0 || windows[0].Start.UtcTicks > gridLast || windows[^1].End.UtcTicks <= gridFirst) return;
        // One start (a booking or dispatch check): it must fit inside one window before reservations matter.
        if (grid.Length == 1 && !windows.Exists(w => w.Start.UtcTicks <= gridFirst && gridLast <= w.End.UtcTicks)) return;

        var reservations = worker.Calendar.Reservations;
        var blocked = new (long Start, long End)[reservations.Count];
        var count = 0;
        // Travel is capped at a day, so a reservation further away than that plus the buffer cannot matter.
        var reach = TimeSpan.FromMinutes(job.Item.BufferMinutes + 24 * 60).Ticks;
        foreach (var r in reservations)
        {
            if (r.End.UtcTicks + reach <= gridFirst || r.Start.UtcTicks - reach >= gridLast) continue;
            var pad = TimeSpan.FromMinutes(job.Item.BufferMinutes + job.Travel.MinutesBetween(r.Location, job.Address)).Ticks;
            blocked[count++] = (r.Start.UtcTicks - pad, r.End.UtcTicks + pad);
        }
        InsertionSort(blocked, count);

        var b = 0;
        var g = 0;
        foreach (var window in windows)
        {
            var cursor = window.Start.UtcTicks;
            var windowEnd = window.End.UtcTicks;
            if (windowEnd <= gridFirst) continue;
            if (cursor > gridLast) break;
            // Blocks are sorted by start; one that ends before this window cannot touch later windows either.
            while (b < count && blocked[b].End <= cursor) b++;
            var k = b;
            while (cursor < windowEnd)
            {
                var freeEnd = windowEnd;
                var nextCursor = windowEnd;
                for (; k < count && blocked[k].Start < windowEnd; k++)
                {
                    if (blocked[k].End <= cursor) continue;
                    if (blocked[k].Start <= cursor) { cursor = blocked[k].End; continue; }
                    freeEnd = blocked[k].Start;
                    nextCursor = blocked[k].End;
                    break;
                }
                if (cursor >= windowEnd) break;
                g = LowerBound(grid, cursor, g);
                for (; g < grid.Length && grid[g] + duration <= freeEnd; g++) emit(g);
                cursor = Math.Max(cursor, nextCursor);
            }
        }
    }

    /// <summary>UTC instants in [lower, upper) whose local wall time is a whole multiple of the step since local midnight.
    /// Walking UTC rather than local times means a DST gap simply has no slots and a repeated hour has both.</summary>
    private static long[] StepGrid(DateTimeOffset lower, DateTimeOffset upper, TimeZoneInfo zone, int step)
    {
        var result = new List<long>();
        var t = new DateTimeOffset(lower.UtcTicks - lower.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        if (t < lower) t = t.AddMinutes(1);
        while (t < upper)
        {
            var local = t.UtcDateTime + zone.GetUtcOffset(t);
            var off = (int)(local.TimeOfDay.Ticks / TimeSpan.TicksPerMinute % step);
            if (off == 0) { result.Add(t.UtcTicks); t = t.AddMinutes(step); }
            else t = t.AddMinutes(step - off);
        }
        return [.. result];
    }

    private static bool IsOnGrid(DateTimeOffset start, TimeZoneInfo zone, int step)
    {
        var local = ZoneTime.ToLocal(start, zone);
        return local.Ticks % TimeSpan.TicksPerMinute == 0 && (int)local.TimeOfDay.TotalMinutes % step == 0;
    }

    /// <summary>Blocks come from a start-sorted calendar shifted by similar pads, so they are nearly sorted:
    /// insertion sort is linear here, where a general sort was a visible share of the per-worker cost.</summary>
    private static void InsertionSort((long Start, long End)[] items, int count)
    {
        for (var i = 1; i < count; i++)
        {
            var item = items[i];
            var j = i - 1;
            for (; j >= 0 && items[j].Start > item.Start; j--) items[j + 1] = items[j];
            items[j + 1] = item;
        }
    }

    private static int LowerBound(long[] sorted, long value, int from)
    {
        int lo = from, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static void ValidateItem(ServiceItemSpec item, List<ValidationError> errors)
    {
        if (string.IsNullOrEmpty(item.ItemId)) errors.Add(new("item.itemId", "required"));
        if (item.DurationMinutes is < 1 or > MaxDurationMinutes) errors.Add(new("item.durationMinutes", "out_of_range"));
        if (item.BufferMinutes is < 0 or > 240) errors.Add(new("item.bufferMinutes", "out_of_range"));
    }

    private static void ValidateRules(AvailabilityRules rules, List<ValidationError> errors)
    {
        if (rules.MinimumNoticeMinutes is < 0 or > 7 * 24 * 60) errors.Add(new("rules.minimumNoticeMinutes", "out_of_range"));
        if (rules.HorizonDays is < 1 or > 365) errors.Add(new("rules.horizonDays", "out_of_range"));
        if (rules.StepMinutes is < 5 or > 240) errors.Add(new("rules.stepMinutes", "out_of_range"));
        errors.AddRange(rules.TravelOrDefault.Validate());
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
