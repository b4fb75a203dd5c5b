using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using static HomeService.Domain.Tests.Scheduling.Zones;

namespace HomeService.Domain.Tests.Scheduling;

public class TravelRulesTests
{
    private static readonly GeoPoint Centre = new(31.2304, 121.4737);

    [Fact]
    public void Short_hops_cost_the_minimum()
    {
        Assert.Equal(15, TravelRules.Default.MinutesBetween(Centre, Centre));
        Assert.Equal(15, TravelRules.Default.MinutesForMeters(1000));
    }

    [Fact]
    public void Travel_minutes_scale_with_road_distance_and_round_up()
    {
        // 10 km × 1.3 = 13 km at 25 km/h = 31.2 min → 32.
        Assert.Equal(32, TravelRules.Default.MinutesForMeters(10_000));
        Assert.Equal(60, new TravelRules(30, 10, 1.0).MinutesForMeters(30_000));
    }
}

public class WorkerCalendarTests
{
    private static readonly GeoPoint Home = new(31.2304, 121.4737);
    // ~11.1 km north: 11.12 km × 1.3 / 25 km/h = 34.7 min → 35 min travel.
    private static readonly GeoPoint North = new(31.3304, 121.4737);
    private static readonly TravelRules Rules = TravelRules.Default;

    private static Reservation R(string id, int startHour, int startMinute, int minutes, GeoPoint at)
    {
        var start = Utc(2025, 6, 2, startHour, startMinute);
        return new Reservation(id, start, start.AddMinutes(minutes), at);
    }

    private static WorkerCalendar Reserved(WorkerCalendar calendar, Reservation r) =>
        Assert.IsType<CalendarChange.Applied>(WorkerCalendar.TryReserve(calendar, r, Rules, 10)).Calendar;

    [Fact]
    public void Next_job_starting_before_buffer_plus_travel_has_elapsed_is_a_conflict()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 120, Home));

        // o1 ends 03:00; 10 min buffer + 35 min travel → earliest 03:45.
        var clash = WorkerCalendar.TryReserve(calendar, R("o2", 3, 44, 60, North), Rules, 10);
        var fine = WorkerCalendar.TryReserve(calendar, R("o2", 3, 45, 60, North), Rules, 10);

        Assert.Equal("o1", Assert.IsType<CalendarChange.Conflict>(clash).ClashesWith.OrderId);
        Assert.Equal(2, Assert.IsType<CalendarChange.Applied>(fine).Calendar.Reservations.Count);
    }

    [Fact]
    public void Earlier_job_must_also_leave_travel_time_before_an_existing_one()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 5, 0, 60, North));

        var clash = WorkerCalendar.TryReserve(calendar, R("o2", 3, 16, 60, Home), Rules, 10);
        var fine = WorkerCalendar.TryReserve(calendar, R("o2", 3, 15, 60, Home), Rules, 10);

        Assert.IsType<CalendarChange.Conflict>(clash);
        Assert.Equal(["o2", "o1"], Assert.IsType<CalendarChange.Applied>(fine).Calendar.Reservations.Select(r => r.OrderId));
    }

    [Fact]
    public void Re_reserving_the_same_order_and_times_is_idempotent()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 120, Home));

        var again = WorkerCalendar.TryReserve(calendar, R("o1", 1, 0, 120, Home), Rules, 10);

        Assert.Same(calendar, Assert.IsType<CalendarChange.Applied>(again).Calendar);
    }

    [Fact]
    public void Reserving_an_order_again_at_other_times_is_refused_in_favour_of_move()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 120, Home));

        var result = WorkerCalendar.TryReserve(calendar, R("o1", 8, 0, 120, Home), Rules, 10);

        Assert.Equal(Utc(2025, 6, 2, 1), Assert.IsType<CalendarChange.OrderAlreadyHeld>(result).Existing.Start);
    }

    [Fact]
    public void Move_ignores_the_orders_own_old_slot_and_swaps_it_atomically()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 120, Home));
        calendar = Reserved(calendar, R("o2", 8, 0, 60, Home));

        // Overlaps o1's old slot, which would clash if it were still counted.
        var moved = WorkerCalendar.TryMove(calendar, "o1", R("o1", 2, 0, 60, Home), Rules, 10);

        var after = Assert.IsType<CalendarChange.Applied>(moved).Calendar;
        Assert.Single(after.Reservations, r => r.OrderId == "o1");
        Assert.Equal(Utc(2025, 6, 2, 2), after.Find("o1")!.Start);
    }

    [Fact]
    public void Move_into_a_conflict_changes_nothing()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 120, Home));
        calendar = Reserved(calendar, R("o2", 8, 0, 60, Home));

        var moved = WorkerCalendar.TryMove(calendar, "o1", R("o1", 7, 0, 60, Home), Rules, 10);

        Assert.Equal("o2", Assert.IsType<CalendarChange.Conflict>(moved).ClashesWith.OrderId);
        Assert.Equal(Utc(2025, 6, 2, 1), calendar.Find("o1")!.Start);
    }

    [Fact]
    public void Move_of_an_order_not_held_is_refused()
    {
        var result = WorkerCalendar.TryMove(WorkerCalendar.Empty("w1"), "o9", R("o9", 1, 0, 60, Home), Rules, 10);
        Assert.IsType<CalendarChange.OrderNotHeld>(result);
    }

    [Fact]
    public void Release_and_prune_drop_reservations()
    {
        var calendar = Reserved(WorkerCalendar.Empty("w1"), R("o1", 1, 0, 60, Home));
        calendar = Reserved(calendar, R("o2", 8, 0, 60, Home));

        Assert.Equal(["o2"], WorkerCalendar.Release(calendar, "o1").Reservations.Select(r => r.OrderId));
        Assert.Equal(["o2"], WorkerCalendar.Prune(calendar, Utc(2025, 6, 2, 2)).Reservations.Select(r => r.OrderId));
        Assert.Same(calendar, WorkerCalendar.Release(calendar, "nope"));
    }

    [Fact]
    public void Reservation_that_ends_before_it_starts_is_invalid()
    {
        var start = Utc(2025, 6, 2, 1);
        var result = WorkerCalendar.TryReserve(WorkerCalendar.Empty("w1"), new Reservation("o1", start, start, Home), Rules, 10);
        Assert.Equal("end_not_after_start", Assert.IsType<CalendarChange.Invalid>(result).Code);
    }
}

public class RecurrenceTests
{
    [Fact]
    public void Weekly_series_keeps_the_local_wall_time_across_dst()
    {
        // New York springs forward on 2025-03-09.
        var result = Recurrence.Expand(new DateOnly(2025, 3, 2), T(9), RecurrenceFrequency.Weekly, 3, NewYork);

        Assert.Equal([Utc(2025, 3, 2, 14), Utc(2025, 3, 9, 13), Utc(2025, 3, 16, 13)], result.Starts);
    }

    [Fact]
    public void Every_three_weeks_steps_twenty_one_days()
    {
        var result = Recurrence.Expand(new DateOnly(2025, 1, 1), T(10), RecurrenceFrequency.EveryThreeWeeks, 2, Shanghai);

        Assert.Equal([Utc(2025, 1, 1, 2), Utc(2025, 1, 22, 2)], result.Starts);
    }

    [Fact]
    public void Occurrence_falling_into_a_dst_gap_moves_forward_by_the_gap()
    {
        var result = Recurrence.Expand(new DateOnly(2025, 3, 2), T(2, 30), RecurrenceFrequency.Weekly, 2, NewYork);

        // 2025-03-09 02:30 does not exist in New York; read with EST it is 07:30Z = 03:30 EDT.
        Assert.Equal(Utc(2025, 3, 9, 7, 30), result.Starts[1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    public void Series_length_outside_two_to_twelve_is_rejected(int occurrences)
    {
        var result = Recurrence.Expand(new DateOnly(2025, 1, 1), T(10), RecurrenceFrequency.Weekly, occurrences, Shanghai);

        Assert.Equal([new ValidationError("occurrences", "out_of_range")], result.Errors);
    }
}
