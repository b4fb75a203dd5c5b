namespace HomeService.Domain.Scheduling;

/// <summary>
/// Local wall time → UTC in a city zone, with deliberate DST rules:
/// a local time inside a spring-forward gap is read with the offset in force before the gap
/// (02:30 in a 02:00→03:00 gap becomes 03:30 new time, as the clock "would have" shown), and an
/// ambiguous fall-back time resolves to its first (earlier) occurrence.
/// </summary>
public static class ZoneTime
{
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone) =>
        ToUtc(date.ToDateTime(time, DateTimeKind.Unspecified), zone);

    /// <summary><paramref name="minuteOfDay"/> may be 1440, meaning midnight at the end of <paramref name="date"/>.</summary>
    public static DateTimeOffset ToUtc(DateOnly date, int minuteOfDay, TimeZoneInfo zone) =>
        ToUtc(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified).AddMinutes(minuteOfDay), zone);

    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
            offset = zone.GetUtcOffset(local.AddDays(-1)); // offset before the gap; zones never shift twice a day
        else if (zone.IsAmbiguousTime(local))
            offset = zone.GetAmbiguousTimeOffsets(local).Max(); // larger offset = earlier instant
        else
            offset = zone.GetUtcOffset(local);
        return new DateTimeOffset(local - offset, TimeSpan.Zero);
    }

    public static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).DateTime;
}
