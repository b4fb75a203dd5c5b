using HomeService.Domain.Common;

namespace HomeService.Domain.Scheduling;

/// <summary>A held interval of a worker's time for one order, at the order's address.</summary>
public sealed record Reservation(string OrderId, DateTimeOffset Start, DateTimeOffset End, GeoPoint Location);

/// <summary>
/// All upcoming reservations of one worker, sorted by start. The app stores it as one document and replaces it
/// with an ETag condition, so every operation returns a new value and never mutates.
/// </summary>
public sealed record WorkerCalendar(string WorkerId, IReadOnlyList<Reservation> Reservations)
{
    public static WorkerCalendar Empty(string workerId) => new(workerId, []);

    public Reservation? Find(string orderId) => Reservations.FirstOrDefault(r => r.OrderId == orderId);

    /// <summary>Holds <paramref name="reservation"/> unless it clashes; the same order at the same times is a no-op.</summary>
    public static CalendarChange TryReserve(WorkerCalendar calendar, Reservation reservation, TravelRules rules, int bufferMinutes)
    {
        if (reservation.End <= reservation.Start) return new CalendarChange.Invalid("end_not_after_start");
        if (calendar.Find(reservation.OrderId) is { } held)
            return held.Start == reservation.Start && held.End == reservation.End
                ? new CalendarChange.Applied(calendar)
                : new CalendarChange.OrderAlreadyHeld(held);
        return Place(calendar, reservation, rules, bufferMinutes, ignoreOrderId: null);
    }

    /// <summary>
    /// Reschedule within this worker: checks the new interval against everything except the order's own old
    /// reservation, then swaps in one value, so the order never has zero or two reservations.
    /// </summary>
    public static CalendarChange TryMove(WorkerCalendar calendar, string orderId, Reservation newReservation, TravelRules rules, int bufferMinutes)
    {
        if (newReservation.OrderId != orderId) return new CalendarChange.Invalid("order_id_mismatch");
        if (newReservation.End <= newReservation.Start) return new CalendarChange.Invalid("end_not_after_start");
        if (calendar.Find(orderId) is null) return new CalendarChange.OrderNotHeld(orderId);
        return Place(calendar, newReservation, rules, bufferMinutes, ignoreOrderId: orderId);
    }

    public static WorkerCalendar Release(WorkerCalendar calendar, string orderId) =>
        calendar.Find(orderId) is null ? calendar : calendar with { Reservations = [.. calendar.Reservations.Where(r => r.OrderId != orderId)] };

    /// <summary>Drops reservations that ended at or before <paramref name="before"/>; they can no longer clash.</summary>
    public static WorkerCalendar Prune(WorkerCalendar calendar, DateTimeOffset before) =>
        calendar.Reservations.Any(r => r.End <= before)
            ? calendar with { Reservations = [.. calendar.Reservations.Where(r => r.End > before)] }
            : calendar;

    /// <summary>
    /// The one conflict rule: the gap from the end of the earlier (by start) reservation to the start of the later
    /// must be at least buffer + travel between them. Overlaps give a negative gap and so always clash.
    /// </summary>
    public static bool Clash(
        DateTimeOffset aStart, DateTimeOffset aEnd, GeoPoint aLocation,
        DateTimeOffset bStart, DateTimeOffset bEnd, GeoPoint bLocation,
        TravelRules rules, int bufferMinutes)
    {
        var (earlierEnd, earlierLoc, laterStart, laterLoc) = aStart <= bStart
            ? (aEnd, aLocation, bStart, bLocation)
            : (bEnd, bLocation, aStart, aLocation);
        var needed = TimeSpan.FromMinutes(bufferMinutes + rules.MinutesBetween(earlierLoc, laterLoc));
        return laterStart - earlierEnd < needed;
    }

    private static CalendarChange Place(WorkerCalendar calendar, Reservation reservation, TravelRules rules, int bufferMinutes, string? ignoreOrderId)
    {
        foreach (var other in calendar.Reservations)
        {
            if (other.OrderId == ignoreOrderId) continue;
            if (Clash(other.Start, other.End, other.Location, reservation.Start, reservation.End, reservation.Location, rules, bufferMinutes))
                return new CalendarChange.Conflict(other);
        }
        var list = calendar.Reservations.Where(r => r.OrderId != ignoreOrderId).ToList();
        var at = list.FindIndex(r => r.Start > reservation.Start);
        list.Insert(at < 0 ? list.Count : at, reservation);
        return new CalendarChange.Applied(calendar with { Reservations = list });
    }
}

/// <summary>Outcome of a calendar change; only <see cref="Applied"/> carries a calendar to write back.</summary>
public abstract record CalendarChange
{
    private CalendarChange() { }

    public sealed record Applied(WorkerCalendar Calendar) : CalendarChange;
    public sealed record Conflict(Reservation ClashesWith) : CalendarChange;
    /// <summary>The order already holds different times here; use <see cref="WorkerCalendar.TryMove"/>.</summary>
    public sealed record OrderAlreadyHeld(Reservation Existing) : CalendarChange;
    public sealed record OrderNotHeld(string OrderId) : CalendarChange;
    public sealed record Invalid(string Code) : CalendarChange;
}
