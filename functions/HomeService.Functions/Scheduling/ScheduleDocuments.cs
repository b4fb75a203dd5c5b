using System.Globalization;
using System.Text.Json.Serialization;
using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Scheduling;

/// <summary>A local wall-clock interval on the wire: "HH:mm" strings, "24:00" meaning the end of the day.</summary>
public sealed record IntervalDto(string Start, string End);

public sealed record DayPlanDto(DayOfWeek Day, IReadOnlyList<IntervalDto>? Work, IReadOnlyList<IntervalDto>? Breaks);

public sealed record DateExceptionDto(DateOnly Date, DateExceptionKind Kind, IReadOnlyList<IntervalDto>? Hours);

public sealed record PlanRequest(IReadOnlyList<DayPlanDto>? Days);

public sealed record ExceptionsRequest(IReadOnlyList<DateExceptionDto>? Exceptions);

/// <summary>A worker's weekly plan and date exceptions: `schedules` (pk /workerId), id <c>plan</c>.</summary>
public sealed record PlanDocument
{
    public const string DocumentId = "plan";
    public const string Kind = "plan";

    public string Id { get; init; } = DocumentId;
    public required string WorkerId { get; init; }
    public string Type { get; init; } = Kind;
    public IReadOnlyList<DayPlanDto> Days { get; init; } = [];
    public IReadOnlyList<DateExceptionDto> Exceptions { get; init; } = [];
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public static PlanDocument Empty(string workerId) => new() { WorkerId = workerId };

    public WeeklyPlan ToPlan() => new([.. Days.Select(d => new DayPlan(d.Day, Intervals(d.Work), Intervals(d.Breaks)))]);

    public IReadOnlyList<DateException> ToExceptions() => [.. Exceptions.Select(e => new DateException(e.Date, e.Kind, Intervals(e.Hours)))];

    private static LocalInterval[] Intervals(IReadOnlyList<IntervalDto>? list) =>
        [.. (list ?? []).Select(i => new LocalInterval(ScheduleText.ParseTime(i.Start)!.Value, ScheduleText.ParseTime(i.End)!.Value))];
}

/// <summary>
/// One reservation in a worker's calendar. <see cref="HoldUntil"/> is set while the booking that made it has not
/// yet written its order: an orphaned hold (the process died in between) stops counting once it passes.
/// </summary>
public sealed record CalendarEntry(
    string OrderId, DateTimeOffset Start, DateTimeOffset End, GeoPoint Location, DateTimeOffset HeldAt, DateTimeOffset? HoldUntil = null)
{
    public Reservation ToReservation() => new(OrderId, Start, End, Location);
}

/// <summary>
/// All upcoming reservations of one worker: `schedules` (pk /workerId), id <c>calendar</c>. Every change is an
/// If-Match replace of this one document, so two bookings of overlapping time can never both commit.
/// </summary>
public sealed record CalendarDocument
{
    public const string DocumentId = "calendar";
    public const string Kind = "calendar";

    public string Id { get; init; } = DocumentId;
    public required string WorkerId { get; init; }
    public string Type { get; init; } = Kind;
    public IReadOnlyList<CalendarEntry> Reservations { get; init; } = [];
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public static CalendarDocument Empty(string workerId) => new() { WorkerId = workerId };

    /// <summary>The domain calendar of the entries that still count at <paramref name="now"/> (confirmed, or held and not expired).</summary>
    public WorkerCalendar ToCalendar(DateTimeOffset now) =>
        new(WorkerId, [.. Reservations.Where(r => r.HoldUntil is null || r.HoldUntil > now).Select(r => r.ToReservation())]);
}

public static class ScheduleText
{
    /// <summary>"HH:mm" → time; "24:00" → midnight at the end of the day (<see cref="TimeOnly.MinValue"/>).</summary>
    public static TimeOnly? ParseTime(string? text)
    {
        if (text == "24:00")
        {
            return TimeOnly.MinValue;
        }

        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
    }

    /// <summary>Interval texts that do not parse, as field errors; the domain checks everything else.</summary>
    public static void CheckTimes(Validator v, string path, IReadOnlyList<IntervalDto>? intervals)
    {
        for (var i = 0; i < (intervals?.Count ?? 0); i++)
        {
            if (ParseTime(intervals![i].Start) is null) v.Add($"{path}[{i}].start", "invalid_time");
            if (ParseTime(intervals[i].End) is null) v.Add($"{path}[{i}].end", "invalid_time");
        }
    }
}
