namespace HomeService.Domain.Scheduling;

/// <summary>Local wall-clock interval within one day. <c>End = 00:00</c> means midnight at the end of the day.</summary>
public readonly record struct LocalInterval(TimeOnly Start, TimeOnly End)
{
    internal int StartMinute => Start.Hour * 60 + Start.Minute;
    internal int EndMinute => End == TimeOnly.MinValue ? 1440 : End.Hour * 60 + End.Minute;
}

/// <summary>One weekday of a plan: working intervals, minus breaks (breaks may also be left as gaps).</summary>
public sealed record DayPlan(DayOfWeek Day, IReadOnlyList<LocalInterval> Work, IReadOnlyList<LocalInterval>? Breaks = null);

/// <summary>A worker's repeating week in the city's time zone; missing weekdays are days off.</summary>
public sealed record WeeklyPlan(IReadOnlyList<DayPlan> Days)
{
    public static WeeklyPlan Empty { get; } = new([]);
}

public enum DateExceptionKind
{
    DayOff,
    /// <summary>Hours added to the plan of that day.</summary>
    ExtraHours,
    /// <summary>Hours that replace the plan of that day (plan breaks do not apply).</summary>
    ReplaceHours,
}

/// <summary>A one-off change to the plan on a local date (holiday, day off, extra shift).</summary>
public sealed record DateException(DateOnly Date, DateExceptionKind Kind, IReadOnlyList<LocalInterval>? Hours = null);

public static class ScheduleValidation
{
    public static IReadOnlyList<ValidationError> Validate(WeeklyPlan plan, IReadOnlyList<DateException> exceptions)
    {
        var errors = new List<ValidationError>();
        var seenDays = new HashSet<DayOfWeek>();
        for (var i = 0; i < plan.Days.Count; i++)
        {
            var day = plan.Days[i];
            var path = $"days[{i}]";
            if (!Enum.IsDefined(day.Day)) errors.Add(new($"{path}.day", "invalid"));
            else if (!seenDays.Add(day.Day)) errors.Add(new($"{path}.day", "duplicate_day"));
            CheckIntervals(day.Work, $"{path}.work", errors);
            var breaks = day.Breaks ?? [];
            CheckIntervals(breaks, $"{path}.breaks", errors);
            for (var b = 0; b < breaks.Count; b++)
                if (!day.Work.Any(w => w.StartMinute <= breaks[b].StartMinute && breaks[b].EndMinute <= w.EndMinute))
                    errors.Add(new($"{path}.breaks[{b}]", "break_outside_work"));
        }

        var seenDates = new HashSet<DateOnly>();
        for (var i = 0; i < exceptions.Count; i++)
        {
            var ex = exceptions[i];
            var path = $"exceptions[{i}]";
            if (!seenDates.Add(ex.Date)) errors.Add(new($"{path}.date", "duplicate_date"));
            var hours = ex.Hours ?? [];
            switch (ex.Kind)
            {
                case DateExceptionKind.DayOff when hours.Count > 0:
                    errors.Add(new($"{path}.hours", "hours_not_allowed"));
                    break;
                case DateExceptionKind.ExtraHours or DateExceptionKind.ReplaceHours when hours.Count == 0:
                    errors.Add(new($"{path}.hours", "hours_required"));
                    break;
                case DateExceptionKind.DayOff or DateExceptionKind.ExtraHours or DateExceptionKind.ReplaceHours:
                    break;
                default:
                    errors.Add(new($"{path}.kind", "invalid"));
                    break;
            }
            CheckIntervals(hours, $"{path}.hours", errors);
        }
        return errors;
    }

    private static void CheckIntervals(IReadOnlyList<LocalInterval> intervals, string path, List<ValidationError> errors)
    {
        for (var i = 0; i < intervals.Count; i++)
        {
            var a = intervals[i];
            // Whole minutes keep every window on the minute grid the slot steps use.
            if (a.Start.Second != 0 || a.Start.Millisecond != 0 || a.End.Second != 0 || a.End.Millisecond != 0)
                errors.Add(new($"{path}[{i}]", "not_whole_minute"));
            if (a.EndMinute <= a.StartMinute)
            {
                errors.Add(new($"{path}[{i}]", "end_not_after_start"));
                continue;
            }
            for (var j = 0; j < i; j++)
            {
                var b = intervals[j];
                if (b.EndMinute > b.StartMinute && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute)
                {
                    errors.Add(new($"{path}[{i}]", "overlap"));
                    break;
                }
            }
        }
    }
}
