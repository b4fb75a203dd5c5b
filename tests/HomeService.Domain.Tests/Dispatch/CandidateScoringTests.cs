using HomeService.Domain.Common;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Scheduling;

namespace HomeService.Domain.Tests.Dispatch;

public class CandidateScoringTests
{
    private static CandidateFacts Facts(string id, int travel = 20, double rating = 4.5, int load = 2, double acceptance = 0.9, double idle = 4) =>
        new(id, travel, rating, load, acceptance, idle);

    [Fact]
    public void Closer_worker_ranks_first_when_all_else_is_equal()
    {
        var ranked = CandidateScoring.Rank([Facts("far", travel: 50), Facts("near", travel: 10)], ScoringWeights.Default);

        Assert.Equal(["near", "far"], ranked.Select(r => r.WorkerId));
    }

    [Fact]
    public void Each_term_moves_the_score_in_the_expected_direction()
    {
        var w = ScoringWeights.Default;
        var baseline = CandidateScoring.Score(Facts("a"), w);

        Assert.True(CandidateScoring.Score(Facts("a", rating: 5), w) > baseline);
        Assert.True(CandidateScoring.Score(Facts("a", load: 6), w) < baseline);
        Assert.True(CandidateScoring.Score(Facts("a", acceptance: 0.5), w) < baseline);
        Assert.True(CandidateScoring.Score(Facts("a", idle: 20), w) > baseline);
    }

    [Fact]
    public void Terms_saturate_so_out_of_range_inputs_stay_within_the_weight_sum()
    {
        var best = CandidateScoring.Score(new CandidateFacts("a", 0, 9, -3, 2, 1e6), ScoringWeights.Default);
        var worst = CandidateScoring.Score(new CandidateFacts("b", 999, double.NaN, 99, -1, 0), ScoringWeights.Default);

        Assert.Equal(1.0, best, 9);
        Assert.Equal(0.0, worst, 9);
    }

    [Fact]
    public void Equal_scores_are_broken_by_ordinal_worker_id()
    {
        var ranked = CandidateScoring.Rank([Facts("w-b"), Facts("W-a"), Facts("w-a")], ScoringWeights.Default);

        Assert.Equal(["W-a", "w-a", "w-b"], ranked.Select(r => r.WorkerId));
    }

    [Fact]
    public void City_weights_change_the_winner()
    {
        CandidateFacts[] candidates = [Facts("near-new", travel: 10, rating: 3.5), Facts("far-star", travel: 40, rating: 5)];
        var ratingFirst = ScoringWeights.Default with { Travel = 0.05, Rating = 0.8 };

        Assert.Equal("near-new", CandidateScoring.Rank(candidates, ScoringWeights.Default)[0].WorkerId);
        Assert.Equal("far-star", CandidateScoring.Rank(candidates, ratingFirst)[0].WorkerId);
    }

    [Fact]
    public void The_terms_add_up_to_the_score_and_name_what_each_fact_earned()
    {
        var w = ScoringWeights.Default;
        var terms = CandidateScoring.Explain(Facts("a", travel: 30, rating: 4, load: 2, acceptance: 0.5, idle: 6), w);

        Assert.Equal(CandidateScoring.Score(Facts("a", travel: 30, rating: 4, load: 2, acceptance: 0.5, idle: 6), w), terms.Total, 12);
        Assert.Equal(w.Travel * (1 - 30.0 / w.MaxTravelMinutes), terms.Travel, 12);
        Assert.Equal(w.Rating * 0.8, terms.Rating, 12);
        Assert.Equal(w.Load * (1 - 2.0 / w.MaxOrdersPerDay), terms.Load, 12);
        Assert.Equal(w.Acceptance * 0.5, terms.Acceptance, 12);
        Assert.Equal(w.Fairness * (6 / w.FairnessSaturationHours), terms.Fairness, 12);
        var ranked = CandidateScoring.Rank([Facts("a", travel: 30)], w);
        Assert.Equal(ranked[0].Score, ranked[0].Terms.Total, 12);
        Assert.Equal(30, ranked[0].Facts.TravelMinutes);
    }

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly GeoPoint Home = new(31.20, 121.40);
    private static readonly GeoPoint Job = new(31.20, 121.60);
    private static readonly GeoPoint NextDoor = new(31.201, 121.601);

    private static CandidateWorker Worker(params Reservation[] reservations) => new(
        "w1", true, true, [new OfferedItem("clean")], Home, 30, new WeeklyPlan([]), [], new WorkerCalendar("w1", reservations), 4.5);

    private static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Travel_counts_from_the_previous_job_that_day_else_from_home()
    {
        var travel = TravelRules.Default;
        var start = At(10, 14);
        var job = new Reservation("o", start, start.AddHours(2), Job);
        var fromHome = CandidateScoring.FactsFor(Worker(), job, start, Shanghai, travel, 0.8, null, ScoringWeights.Default);
        // The morning job next door ends before the start: she comes from there, not from home ~19 km away.
        var afterNextDoor = CandidateScoring.FactsFor(Worker(
                new Reservation("morning", At(10, 9), At(10, 11), NextDoor),
                new Reservation("earlier", At(10, 7), At(10, 8), Home),
                new Reservation("yesterday", At(9, 12), At(9, 13), NextDoor)),
            job, start, Shanghai, travel, 0.8, null, ScoringWeights.Default);

        Assert.Equal(travel.DriveMinutes(Home, Job), fromHome.TravelMinutes);
        Assert.True(fromHome.TravelMinutes > 40);
        // The drive, not the scheduling gap: 150 m is a minute, not the 15-minute minimum between jobs.
        Assert.Equal(1, afterNextDoor.TravelMinutes);
        Assert.Equal(2, afterNextDoor.OrdersToday);
    }

    [Fact]
    public void The_order_itself_is_not_load_and_fairness_saturates_without_a_previous_assignment()
    {
        var start = At(10, 14);
        var worker = Worker(new Reservation("o", start, start.AddHours(2), Job), new Reservation("other", At(10, 9), At(10, 10), Job));

        var job = new Reservation("o", start, start.AddHours(2), Job);
        var never = CandidateScoring.FactsFor(worker, job, start, Shanghai, TravelRules.Default, 0.7, null, ScoringWeights.Default);
        var recently = CandidateScoring.FactsFor(worker, job, start, Shanghai, TravelRules.Default, 0.7, start.AddHours(-3), ScoringWeights.Default);

        Assert.Equal(1, never.OrdersToday);
        Assert.Equal(ScoringWeights.Default.FairnessSaturationHours, never.HoursSinceLastAssignment);
        Assert.Equal(3, recently.HoursSinceLastAssignment, 9);
        Assert.Equal((0.7, 4.5, "w1"), (never.AcceptanceRate, never.Rating, never.WorkerId));
    }

    [Fact]
    public void Travel_is_the_detour_a_job_adds_between_the_previous_and_the_next_job()
    {
        var travel = TravelRules.Default;
        var start = At(10, 11);
        var job = new Reservation("o", start, start.AddHours(1), Job);
        var west = new GeoPoint(31.20, 121.55);
        var east = new GeoPoint(31.20, 121.65);
        // On the way from a job in the west to one in the east: only the small bend counts.
        var onTheWay = CandidateScoring.RouteAround(Worker(
            new Reservation("before", At(10, 9), At(10, 10), west), new Reservation("after", At(10, 14), At(10, 15), east)), job, Shanghai);
        // Back to the west after it: there and back again.
        var outAndBack = CandidateScoring.RouteAround(Worker(
            new Reservation("before", At(10, 9), At(10, 10), west), new Reservation("after", At(10, 14), At(10, 15), west)), job, Shanghai);

        Assert.Equal((west, (GeoPoint?)east, 2), (onTheWay.From, onTheWay.Next, onTheWay.OrdersThatDay));
        var detour = CandidateScoring.DetourMinutes(onTheWay, Job, travel);
        Assert.Equal(travel.DriveMinutes(west, Job) + travel.DriveMinutes(Job, east) - travel.DriveMinutes(west, east), detour);
        Assert.InRange(detour, 0, 2);
        Assert.Equal(2 * travel.DriveMinutes(west, Job), CandidateScoring.DetourMinutes(outAndBack, Job, travel));
        Assert.Null(CandidateScoring.RouteAround(Worker(), job, Shanghai).Next);
    }

    [Fact]
    public void The_tuned_defaults_let_a_short_detour_beat_a_better_rating_and_an_idle_worker_but_not_a_half_hour_one()
    {
        // A 5-minute detour with a 4.0 rating and a job earlier today, against a 25-minute trip from home by an idle 4.9.
        var onTheWay = new CandidateFacts("on-the-way", 5, 4.0, 3, 0.8, 2);
        var idleStar = new CandidateFacts("idle-star", 25, 4.9, 0, 0.8, 24);
        Assert.Equal("on-the-way", CandidateScoring.Rank([onTheWay, idleStar], ScoringWeights.Default)[0].WorkerId);
        // Under the pre-simulation weights (travel 0.35 over 60 minutes) the idle 4.9 won.
        var before = new ScoringWeights(0.35, 0.25, 0.15, 0.15, 0.10, MaxTravelMinutes: 60);
        Assert.Equal("idle-star", CandidateScoring.Rank([onTheWay, idleStar], before)[0].WorkerId);
        // Past the travel horizon distance stops counting: a worker 30 and one 50 minutes away differ only on the rest.
        var far = CandidateScoring.Explain(new CandidateFacts("far", 50, 4.5, 1, 0.8, 4), ScoringWeights.Default);
        var farther = CandidateScoring.Explain(new CandidateFacts("farther", 30, 4.5, 1, 0.8, 4), ScoringWeights.Default);
        Assert.Equal((0.0, 0.0), (far.Travel, farther.Travel));
    }
}
