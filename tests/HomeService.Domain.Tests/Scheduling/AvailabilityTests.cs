using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using static HomeService.Domain.Tests.Scheduling.Zones;

namespace HomeService.Domain.Tests.Scheduling;

public class AvailabilityTests
{
    private static readonly GeoPoint Address = new(31.2304, 121.4737);
    private static readonly GeoPoint North = new(31.3304, 121.4737); // 35 min travel from Address
    private static readonly ServiceItemSpec Cleaning = new("clean", 120, 10);
    private static readonly DateOnly Monday = new(2025, 6, 2);
    private static readonly AvailabilityRules Rules = new(MinimumNoticeMinutes: 120, HorizonDays: 30, StepMinutes: 30);
    private static readonly DateTimeOffset Now = Utc(2025, 6, 1, 0);

    private static CandidateWorker Worker(string id = "w1", LocalInterval? hours = null, params Reservation[] reservations) => new(
        id, Approved: true, Accepting: true, [new OfferedItem("clean")], Address, ServiceRadiusKm: 10,
        new WeeklyPlan([.. Enum.GetValues<DayOfWeek>().Select(d => new DayPlan(d, [hours ?? new LocalInterval(T(9), T(13))]))]),
        [], new WorkerCalendar(id, reservations), Rating: 4.8);

    private static AvailabilityQuery Query(DateOnly? from = null, DateOnly? to = null, DateTimeOffset? now = null, TimeZoneInfo? zone = null, string? workerId = null) =>
        new(Cleaning, Address, from ?? Monday, to ?? from ?? Monday, workerId, now ?? Now, zone ?? Shanghai, Rules);

    private static IEnumerable<DateTimeOffset> Starts(AvailabilityResult result) => result.Slots.Select(s => s.Start);

    [Fact]
    public void Slots_fill_the_working_window_on_the_local_step_grid()
    {
        var result = AvailabilityCalculator.Find(Query(), [Worker()]);

        // 09:00–13:00 Shanghai = 01:00–05:00Z; a 2 h job can start 09:00 … 11:00.
        Assert.Equal([Utc(2025, 6, 2, 1), Utc(2025, 6, 2, 1, 30), Utc(2025, 6, 2, 2), Utc(2025, 6, 2, 2, 30), Utc(2025, 6, 2, 3)], Starts(result));
        Assert.All(result.Slots, s => Assert.Equal(["w1"], s.WorkerIds));
    }

    [Fact]
    public void Slot_overlapping_travel_gap_is_not_offered()
    {
        // Worker is free 09:00–18:00 but has a job up north 09:00–10:00 local (01:00–02:00Z).
        var job = new Reservation("o1", Utc(2025, 6, 2, 1), Utc(2025, 6, 2, 2), North);
        var worker = Worker(hours: new LocalInterval(T(9), T(18)), reservations: job);

        var starts = Starts(AvailabilityCalculator.Find(Query(), [worker])).ToList();

        // 10:00 end + 10 buffer + 35 travel = 10:45 → first start on the grid is 11:00 local (03:00Z).
        Assert.Equal(Utc(2025, 6, 2, 3), starts[0]);
    }

    [Fact]
    public void Slot_ending_too_close_to_a_later_job_is_not_offered()
    {
        var job = new Reservation("o1", Utc(2025, 6, 2, 5), Utc(2025, 6, 2, 6), North); // 13:00–14:00 local
        var worker = Worker(hours: new LocalInterval(T(9), T(18)), reservations: job);

        var starts = Starts(AvailabilityCalculator.Find(Query(), [worker])).ToList();

        // Must end by 13:00 − 45 min = 12:15 → last start before it is 10:00 local (02:00Z).
        Assert.Contains(Utc(2025, 6, 2, 2), starts);
        Assert.DoesNotContain(Utc(2025, 6, 2, 2, 30), starts);
    }

    [Fact]
    public void Starts_inside_the_minimum_notice_are_not_offered()
    {
        var result = AvailabilityCalculator.Find(Query(now: Utc(2025, 6, 2, 0)), [Worker()]);

        Assert.Equal(Utc(2025, 6, 2, 2), Starts(result).First());
    }

    [Fact]
    public void Starts_beyond_the_horizon_are_not_offered()
    {
        var from = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(29);
        var result = AvailabilityCalculator.Find(Query(from: from, to: from.AddDays(1)), [Worker()]);

        Assert.All(Starts(result), s => Assert.True(s < Now.AddDays(30)));
        Assert.NotEmpty(Starts(result));
        Assert.DoesNotContain(Starts(result), s => s.UtcDateTime.Date == from.AddDays(1).ToDateTime(TimeOnly.MinValue));
    }

    [Fact]
    public void Address_outside_the_service_radius_gets_no_slots()
    {
        var far = Worker() with { HomeBase = new GeoPoint(31.5, 121.4737) };

        Assert.Empty(AvailabilityCalculator.Find(Query(), [far]).Slots);
        Assert.Equal(SlotVerdict.OutsideServiceRadius, AvailabilityCalculator.CanWorkerTake(far, Cleaning, Address, Utc(2025, 6, 2, 1), Now, Shanghai, Rules));
    }

    [Fact]
    public void Unapproved_paused_or_non_offering_workers_get_no_slots()
    {
        CandidateWorker[] workers = [Worker() with { Approved = false }, Worker() with { Accepting = false }, Worker() with { Items = [new OfferedItem("repair")] }];
        Assert.Empty(AvailabilityCalculator.Find(Query(), workers).Slots);
    }

    [Fact]
    public void Day_off_exception_removes_slots_and_chosen_worker_filters_others()
    {
        var off = Worker("w1") with { Exceptions = [new DateException(Monday, DateExceptionKind.DayOff)] };
        var other = Worker("w2");

        Assert.Empty(AvailabilityCalculator.Find(Query(workerId: "w1"), [off, other]).Slots);
        Assert.All(AvailabilityCalculator.Find(Query(), [off, other]).Slots, s => Assert.Equal(["w2"], s.WorkerIds));
    }

    [Fact]
    public void Slot_counts_every_worker_who_can_take_it()
    {
        var busy = Worker("w2", reservations: new Reservation("o1", Utc(2025, 6, 2, 1), Utc(2025, 6, 2, 2), Address));
        var result = AvailabilityCalculator.Find(Query(), [Worker("w1"), busy]);

        Assert.Equal(1, result.Slots.Single(s => s.Start == Utc(2025, 6, 2, 1)).WorkerCount);
        Assert.Equal(["w1", "w2"], result.Slots.Single(s => s.Start == Utc(2025, 6, 2, 3)).WorkerIds);
    }

    [Fact]
    public void Spring_forward_day_has_no_slots_in_the_missing_hour_and_keeps_real_durations()
    {
        // Berlin 2025-03-30, work 01:00–05:00 local = 00:00–03:00Z (three real hours); 1 h jobs.
        var item = Cleaning with { DurationMinutes = 60, BufferMinutes = 0 };
        var worker = Worker(hours: new LocalInterval(T(1), T(5)));
        var q = new AvailabilityQuery(item, Address, new DateOnly(2025, 3, 30), new DateOnly(2025, 3, 30), null, Utc(2025, 3, 1, 0), Berlin, Rules);

        var starts = Starts(AvailabilityCalculator.Find(q, [worker])).ToList();

        // Local 01:00, 01:30, 03:00, 03:30, 04:00 (CEST); 02:xx does not exist.
        Assert.Equal([Utc(2025, 3, 30, 0), Utc(2025, 3, 30, 0, 30), Utc(2025, 3, 30, 1), Utc(2025, 3, 30, 1, 30), Utc(2025, 3, 30, 2)], starts);
    }

    [Fact]
    public void Fall_back_day_offers_both_occurrences_of_the_repeated_hour()
    {
        var item = Cleaning with { DurationMinutes = 30, BufferMinutes = 0 };
        var worker = Worker(hours: new LocalInterval(T(1), T(4)));
        var q = new AvailabilityQuery(item, Address, new DateOnly(2025, 10, 26), new DateOnly(2025, 10, 26), null, Utc(2025, 10, 1, 0), Berlin, Rules);

        var starts = Starts(AvailabilityCalculator.Find(q, [worker])).ToList();

        // 01:00 CEST (23:00Z) … 03:30 CET (02:30Z): four real hours, 02:00 and 02:30 happen twice.
        Assert.Equal(8, starts.Count);
        Assert.Contains(Utc(2025, 10, 26, 0), starts); // 02:00 CEST
        Assert.Contains(Utc(2025, 10, 26, 1), starts); // 02:00 CET
    }

    [Fact]
    public void Range_longer_than_thirty_days_is_a_validation_error()
    {
        var result = AvailabilityCalculator.Find(Query(to: Monday.AddDays(30)), [Worker()]);

        Assert.Equal([new ValidationError("to", "range_too_long")], result.Errors);
    }

    [Fact]
    public void Can_worker_take_agrees_with_find_and_explains_refusals()
    {
        var worker = Worker();
        Assert.Equal(SlotVerdict.Available, AvailabilityCalculator.CanWorkerTake(worker, Cleaning, Address, Utc(2025, 6, 2, 3), Now, Shanghai, Rules));
        Assert.Equal(SlotVerdict.Unavailable, AvailabilityCalculator.CanWorkerTake(worker, Cleaning, Address, Utc(2025, 6, 2, 3, 30), Now, Shanghai, Rules));
        Assert.Equal(SlotVerdict.NotOnStepGrid, AvailabilityCalculator.CanWorkerTake(worker, Cleaning, Address, Utc(2025, 6, 2, 1, 10), Now, Shanghai, Rules));
        Assert.Equal(SlotVerdict.TooSoon, AvailabilityCalculator.CanWorkerTake(worker, Cleaning, Address, Now.AddMinutes(60), Now, Shanghai, Rules));
        Assert.Equal(SlotVerdict.BeyondHorizon, AvailabilityCalculator.CanWorkerTake(worker, Cleaning, Address, Now.AddDays(31), Now, Shanghai, Rules));
    }
}
