namespace HomeService.Domain.Scheduling;

public enum RecurrenceFrequency
{
    Weekly = 1,
    EveryTwoWeeks = 2,
    EveryThreeWeeks = 3,
}

public static class Recurrence
{
    public const int MinOccurrences = 2;
    public const int MaxOccurrences = 12;

    /// <summary>
    /// UTC starts of a series that keeps the same local wall time across DST changes (09:00 stays 09:00).
    /// A wall time that falls into a DST gap or overlap follows the <see cref="ZoneTime"/> rules.
    /// </summary>
    public static RecurrenceResult Expand(
        DateOnly firstDate, TimeOnly localTime, RecurrenceFrequency frequency, int occurrences, TimeZoneInfo zone)
    {
        var errors = new List<ValidationError>();
        if (!Enum.IsDefined(frequency)) errors.Add(new("frequency", "invalid"));
        if (occurrences is < MinOccurrences or > MaxOccurrences) errors.Add(new("occurrences", "out_of_range"));
        if (errors.Count > 0) return new RecurrenceResult([], errors);

        var starts = new DateTimeOffset[occurrences];
        for (var i = 0; i < occurrences; i++)
            starts[i] = ZoneTime.ToUtc(firstDate.AddDays(7 * (int)frequency * i), localTime, zone);
        return new RecurrenceResult(starts, []);
    }
}

public sealed record RecurrenceResult(IReadOnlyList<DateTimeOffset> Starts, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
