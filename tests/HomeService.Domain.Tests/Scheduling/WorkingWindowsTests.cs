using HomeService.Domain.Scheduling;
using static HomeService.Domain.Tests.Scheduling.Zones;

namespace HomeService.Domain.Tests.Scheduling;

public class WorkingWindowsTests
{
    private static WeeklyPlan EveryDay(params LocalInterval[] work) =>
        new([.. Enum.GetValues<DayOfWeek>().Select(d => new DayPlan(d, work))]);

    [Fact]
    public void Breaks_are_cut_out_of_working_hours()
    {
        var plan = new WeeklyPlan([new DayPlan(DayOfWeek.Monday, [new(T(9), T(18))], [new(T(12), T(13))])]);
        var monday = new DateOnly(2025, 6, 2);

        var windows = WorkingWindows.For(plan, [], monday, monday, Shanghai);

        Assert.Equal([new TimeWindow(Utc(2025, 6, 2, 1), Utc(2025, 6, 2, 4)), new TimeWindow(Utc(2025, 6, 2, 5), Utc(2025, 6, 2, 10))], windows);
    }

    [Fact]
    public void Touching_intervals_and_a_shift_across_midnight_merge_into_one_window()
    {
        var plan = EveryDay(new(T(0), T(2)), new(T(20), T(22)), new(T(22), T(0)));
        var d = new DateOnly(2025, 6, 2);

        var windows = WorkingWindows.For(plan, [], d, d.AddDays(1), Shanghai);

        Assert.Contains(new TimeWindow(Utc(2025, 6, 2, 12), Utc(2025, 6, 2, 18)), windows);
    }

    [Fact]
    public void Day_off_exception_removes_the_day_and_replace_hours_ignore_plan_breaks()
    {
        var plan = new WeeklyPlan([new DayPlan(DayOfWeek.Monday, [new(T(9), T(18))], [new(T(12), T(13))]), new DayPlan(DayOfWeek.Tuesday, [new(T(9), T(18))])]);
        var monday = new DateOnly(2025, 6, 2);
        DateException[] exceptions =
        [
            new(monday, DateExceptionKind.ReplaceHours, [new(T(10), T(14))]),
            new(monday.AddDays(1), DateExceptionKind.DayOff),
        ];

        var windows = WorkingWindows.For(plan, exceptions, monday, monday.AddDays(1), Shanghai);

        Assert.Equal([new TimeWindow(Utc(2025, 6, 2, 2), Utc(2025, 6, 2, 6))], windows);
    }

    [Fact]
    public void Extra_hours_add_to_the_plan_of_that_day()
    {
        var plan = new WeeklyPlan([new DayPlan(DayOfWeek.Monday, [new(T(9), T(12))])]);
        var monday = new DateOnly(2025, 6, 2);

        var windows = WorkingWindows.For(plan, [new(monday, DateExceptionKind.ExtraHours, [new(T(11), T(15)), new(T(19), T(20))])], monday, monday, Shanghai);

        Assert.Equal([new TimeWindow(Utc(2025, 6, 2, 1), Utc(2025, 6, 2, 7)), new TimeWindow(Utc(2025, 6, 2, 11), Utc(2025, 6, 2, 12))], windows);
    }

    [Fact]
    public void Shift_across_spring_forward_is_an_hour_shorter_in_real_time()
    {
        // Berlin 2025-03-30: 02:00 CET jumps to 03:00 CEST.
        var d = new DateOnly(2025, 3, 30);
        var windows = WorkingWindows.For(EveryDay(new LocalInterval(T(1), T(5))), [], d, d, Berlin);

        Assert.Equal([new TimeWindow(Utc(2025, 3, 30, 0), Utc(2025, 3, 30, 3))], windows);
    }

    [Fact]
    public void Start_inside_the_spring_forward_gap_is_read_with_the_old_offset()
    {
        // 02:30 does not exist; read as 02:30+01:00 = 01:30Z, which the clock shows as 03:30 CEST.
        var d = new DateOnly(2025, 3, 30);
        var windows = WorkingWindows.For(EveryDay(new LocalInterval(T(2, 30), T(6))), [], d, d, Berlin);

        Assert.Equal([new TimeWindow(Utc(2025, 3, 30, 1, 30), Utc(2025, 3, 30, 4))], windows);
    }

    [Fact]
    public void Ambiguous_fall_back_time_resolves_to_its_first_occurrence()
    {
        // Berlin 2025-10-26: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30Z and 01:30Z.
        var d = new DateOnly(2025, 10, 26);
        var windows = WorkingWindows.For(EveryDay(new LocalInterval(T(2, 30), T(6))), [], d, d, Berlin);

        Assert.Equal([new TimeWindow(Utc(2025, 10, 26, 0, 30), Utc(2025, 10, 26, 5))], windows);
    }

    [Fact]
    public void Interval_wholly_inside_the_gap_is_shifted_forward_by_the_gap()
    {
        var d = new DateOnly(2025, 3, 30);
        var windows = WorkingWindows.For(EveryDay(new LocalInterval(T(2, 10), T(2, 50))), [], d, d, Berlin);

        // Both edges use the pre-gap offset: 03:10–03:50 CEST, still 40 minutes.
        Assert.Equal([new TimeWindow(Utc(2025, 3, 30, 1, 10), Utc(2025, 3, 30, 1, 50))], windows);
    }
}

public class ScheduleValidationTests
{
    [Fact]
    public void Valid_plan_has_no_errors()
    {
        var plan = new WeeklyPlan([new DayPlan(DayOfWeek.Monday, [new(T(9), T(12)), new(T(13), T(0))], [new(T(10), T(10, 30))])]);
        Assert.Empty(ScheduleValidation.Validate(plan, [new(new DateOnly(2025, 1, 1), DateExceptionKind.DayOff)]));
    }

    [Fact]
    public void Overlapping_and_reversed_intervals_are_reported_per_field()
    {
        var plan = new WeeklyPlan(
        [
            new DayPlan(DayOfWeek.Monday, [new(T(9), T(12)), new(T(11), T(14)), new(T(18), T(17))], [new(T(15), T(16))]),
            new DayPlan(DayOfWeek.Monday, [new(T(9), T(10))]),
        ]);

        var errors = ScheduleValidation.Validate(plan, []);

        Assert.Equal(
            [
                new("days[0].work[1]", "overlap"),
                new("days[0].work[2]", "end_not_after_start"),
                new("days[0].breaks[0]", "break_outside_work"),
                new("days[1].day", "duplicate_day"),
            ],
            errors);
    }

    [Fact]
    public void Exceptions_need_hours_exactly_when_they_add_or_replace()
    {
        var d = new DateOnly(2025, 1, 1);
        DateException[] exceptions =
        [
            new(d, DateExceptionKind.DayOff, [new(T(9), T(10))]),
            new(d.AddDays(1), DateExceptionKind.ExtraHours),
            new(d.AddDays(1), DateExceptionKind.ReplaceHours, [new(T(9, 0), new TimeOnly(10, 0, 30))]),
        ];

        var errors = ScheduleValidation.Validate(WeeklyPlan.Empty, exceptions);

        Assert.Equal(
            [
                new("exceptions[0].hours", "hours_not_allowed"),
                new("exceptions[1].hours", "hours_required"),
                new("exceptions[2].date", "duplicate_date"),
                new("exceptions[2].hours[0]", "not_whole_minute"),
            ],
            errors);
    }
}
