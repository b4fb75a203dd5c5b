using System.Diagnostics;
using HomeService.Domain.Common;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;

namespace HomeService.Benchmarks.Simulation;

/// <summary>What a policy sees when it orders the free candidates of one decision.</summary>
public sealed record DecisionContext(SimOrder Order, DateTimeOffset Start, DateTimeOffset Now, OnlineState State);

/// <summary>Orders the free candidates (worker indexes) of one offer decision, best first.</summary>
public interface IDispatchPolicy
{
    string Name { get; }
    IReadOnlyList<int> Rank(DecisionContext context, IReadOnlyList<int> free);
}

/// <summary>The app's policy: the domain's facts and score (<see cref="CandidateScoring"/>) with the given weights.</summary>
/// <param name="HomeBaseTravel">Travel as the app counted it before issue 13: from the home base, with the 15-minute floor.</param>
public sealed record AppPolicy(string Name, ScoringWeights Weights, bool HomeBaseTravel = false) : IDispatchPolicy
{
    public IReadOnlyList<int> Rank(DecisionContext context, IReadOnlyList<int> free)
    {
        var (order, state) = (context.Order, context.State);
        var facts = free.Select(w =>
        {
            var job = new Reservation(order.Id, context.Start, context.Start.AddMinutes(order.Item.Spec.DurationMinutes), order.Location);
            var f = CandidateScoring.FactsFor(state.Domain[w], job, context.Now, CityDay.Zone, CityDay.Travel,
                state.History[w].AcceptanceRate, state.LastHeldAt(w), Weights);
            return HomeBaseTravel ? f with { TravelMinutes = CityDay.Travel.MinutesBetween(state.Domain[w].HomeBase, order.Location) } : f;
        });
        return [.. CandidateScoring.Rank(facts, Weights).Select(s => state.IndexOf[s.WorkerId])];
    }
}

/// <summary>Greedy: the free worker nearest to the job, from their home base or (route-aware) from their previous job that day.</summary>
public sealed record GreedyNearestPolicy(string Name, bool FromPreviousJob) : IDispatchPolicy
{
    public IReadOnlyList<int> Rank(DecisionContext context, IReadOnlyList<int> free) =>
        [.. free.OrderBy(w => CityDay.RoadKm(From(context, w), context.Order.Location)).ThenBy(w => w)];

    private GeoPoint From(DecisionContext c, int w) =>
        FromPreviousJob
            ? CandidateScoring.RouteAround(c.State.Domain[w], new Reservation(c.Order.Id, c.Start, c.Start.AddMinutes(c.Order.Item.Spec.DurationMinutes), c.Order.Location), CityDay.Zone).From
            : c.State.Domain[w].HomeBase;
}

/// <summary>Round-robin: the free worker who was offered something longest ago (never first), then by index.</summary>
public sealed record RoundRobinPolicy(string Name) : IDispatchPolicy
{
    public IReadOnlyList<int> Rank(DecisionContext context, IReadOnlyList<int> free) =>
        [.. free.OrderBy(w => context.State.LastOfferedAt[w]).ThenBy(w => w)];
}

/// <summary>The mutable city during one online run: calendars, offer histories, holds.</summary>
public sealed class OnlineState
{
    public OnlineState(CityDay day)
    {
        Domain = [.. day.Workers.Select(w => w.Domain)];
        History = [.. day.Workers.Select(w => w.PastOffers)];
        HeldAt = [.. day.Workers.Select(_ => new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal))];
        LastOfferedAt = [.. day.Workers.Select(_ => DateTimeOffset.MinValue)];
        IndexOf = day.Workers.ToDictionary(w => w.Domain.WorkerId, w => w.Index, StringComparer.Ordinal);
    }

    public CandidateWorker[] Domain { get; }
    public OfferHistory[] History { get; }
    /// <summary>When each calendar entry was held, as the calendar document keeps it (fairness reads the latest).</summary>
    public Dictionary<string, DateTimeOffset>[] HeldAt { get; }
    public DateTimeOffset[] LastOfferedAt { get; }
    public IReadOnlyDictionary<string, int> IndexOf { get; }

    public DateTimeOffset? LastHeldAt(int w) => HeldAt[w].Count == 0 ? null : HeldAt[w].Values.Max();
}

/// <summary>How one order ended in a run.</summary>
public sealed record OrderOutcome(SimOrder Order, int? WorkerIndex, DateTimeOffset? Start, DateTimeOffset? AcceptedAt, bool ReachedManual, int Offers);

/// <param name="DecisionMs">Per offer decision: the free-candidate check of every eligible worker plus the ranking.</param>
/// <param name="RankMs">Per offer decision: the ranking alone (facts and score for the free candidates).</param>
/// <param name="CpuMsPerDecision">The run's process CPU time over its decisions: an upper bound of a decision's mean cost that
/// other processes on a shared machine cannot inflate (it includes the run's event handling and GC).</param>
public sealed record OnlineResult(
    string Policy, IReadOnlyList<OrderOutcome> Outcomes, IReadOnlyList<double> DecisionMs, IReadOnlyList<double> RankMs, double CpuMsPerDecision);

/// <summary>
/// Runs one policy over the day with the lifecycle's rules: booking checks the asked start and the next two slots
/// with the city's booking rules (<see cref="AvailabilityCalculator.WhoCanTake"/>: each worker's <see cref="AvailabilityCalculator.CanWorkerTake"/> verdict, shared work done once; 2 h notice) and holds the best
/// free candidate's time; the offer waits <see cref="LifecycleTimings.AcceptanceTimeout"/>; a rejection or expiry
/// records the outcome on the worker's <see cref="OfferHistory"/>, releases the time and offers the next round to the
/// best free candidate not yet declined (re-dispatch rules: no notice), up to <see cref="LifecycleTimings.MaxOfferRounds"/>,
/// then manual dispatch, where an operator assigns the nearest free worker 15 minutes later. Workers answer with
/// their propensity, drawn from a hash of (seed, order, worker) so that every policy meets the same answers.
/// </summary>
public sealed class OnlineDispatch(CityDay day, int seed)
{
    private static readonly LifecycleTimings Timings = LifecycleTimings.Default;
    private static readonly AvailabilityRules BookingRules = new(MinimumNoticeMinutes: 120, StepMinutes: 30, Travel: CityDay.Travel);
    private static readonly AvailabilityRules DispatchRules = BookingRules with { MinimumNoticeMinutes = 0 };
    private static readonly TimeSpan OperatorDelay = TimeSpan.FromMinutes(15);

    /// <summary>For each order, the workers who offer its item and cover its address (before plans and calendars).</summary>
    private readonly int[][] eligible = [.. day.Orders.Select(o => day.Workers
        .Where(w => w.Domain.Items.Any(i => i.ItemId == o.Item.Spec.ItemId) && w.Domain.HomeBase.DistanceMetersTo(o.Location) <= w.Domain.ServiceRadiusKm * 1000)
        .Select(w => w.Index).ToArray())];

    public IReadOnlyList<int> Eligible(int order) => eligible[order];

    private enum Kind { Book, Answer, Operator }

    private sealed record Event(Kind Kind, int Order, int Worker = -1, int Round = 0, OfferOutcome Outcome = OfferOutcome.Expired);

    public OnlineResult Run(IDispatchPolicy policy)
    {
        var state = new OnlineState(day);
        var decisionMs = new List<double>();
        var rankMs = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var n = day.Orders.Count;
        var start = new DateTimeOffset?[n];
        var worker = new int?[n];
        var acceptedAt = new DateTimeOffset?[n];
        var manual = new bool[n];
        var offers = new int[n];
        var declined = Enumerable.Range(0, n).Select(_ => new HashSet<int>()).ToArray();
        var queue = new PriorityQueue<Event, (long, long)>();
        long seq = 0;
        void At(DateTimeOffset t, Event e) => queue.Enqueue(e, (t.UtcTicks, seq++));
        foreach (var o in day.Orders) At(o.BookedAt, new Event(Kind.Book, o.Index));

        // One offer decision: the free candidates for the start, ranked by the policy, the best one's time held.
        int? Decide(SimOrder o, DateTimeOffset s, DateTimeOffset now, AvailabilityRules rules, IDispatchPolicy p, ISet<int> excluded)
        {
            var clock = Stopwatch.GetTimestamp();
            var asked = eligible[o.Index].Where(w => !excluded.Contains(w)).ToList();
            var free = AvailabilityCalculator.WhoCanTake([.. asked.Select(w => state.Domain[w])], o.Item.Spec, o.Location, s, now, CityDay.Zone, rules)
                .Select(i => asked[i]).ToList();
            var ranking = Stopwatch.GetTimestamp();
            var ranked = free.Count == 0 ? [] : p.Rank(new DecisionContext(o, s, now, state), free);
            rankMs.Add(Stopwatch.GetElapsedTime(ranking).TotalMilliseconds);
            decisionMs.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
            foreach (var w in ranked)
            {
                if (WorkerCalendar.TryReserve(state.Domain[w].Calendar, new Reservation(o.Id, s, s.AddMinutes(o.Item.Spec.DurationMinutes), o.Location),
                        CityDay.Travel, o.Item.Spec.BufferMinutes) is CalendarChange.Applied applied)
                {
                    state.Domain[w] = state.Domain[w] with { Calendar = applied.Calendar };
                    state.HeldAt[w][o.Id] = now;
                    return w;
                }
            }

            return null;
        }

        void Offer(SimOrder o, int w, int round, DateTimeOffset now)
        {
            offers[o.Index]++;
            state.LastOfferedAt[w] = now;
            // Those who do not accept reject within the timeout (40 %) or let the offer expire.
            var outcome = Draw(o.Index, w, 0) < day.Workers[w].AcceptPropensity ? OfferOutcome.Accepted
                : Draw(o.Index, w, 1) < 0.4 ? OfferOutcome.Rejected : OfferOutcome.Expired;
            var answersIn = outcome == OfferOutcome.Expired ? Timings.AcceptanceTimeout : TimeSpan.FromMinutes(0.5 + 3.5 * Draw(o.Index, w, 2));
            At(now + answersIn, new Event(Kind.Answer, o.Index, w, round, outcome));
        }

        void Release(SimOrder o, int w)
        {
            state.Domain[w] = state.Domain[w] with { Calendar = WorkerCalendar.Release(state.Domain[w].Calendar, o.Id) };
            state.HeldAt[w].Remove(o.Id);
        }

        while (queue.TryDequeue(out var e, out var key))
        {
            var now = new DateTimeOffset(key.Item1, TimeSpan.Zero);
            var o = day.Orders[e.Order];
            switch (e.Kind)
            {
                case Kind.Book:
                    for (var k = 0; k < 3 && worker[o.Index] is null; k++)
                    {
                        var s = o.Start.AddMinutes(30 * k);
                        if (Decide(o, s, now, BookingRules, policy, declined[o.Index]) is { } w)
                        {
                            (start[o.Index], worker[o.Index]) = (s, w);
                            Offer(o, w, 1, now);
                        }
                    }

                    break;
                case Kind.Answer:
                    state.History[e.Worker] = state.History[e.Worker].With(new OfferRecord(o.Id, e.Round, e.Outcome, now)) ?? state.History[e.Worker];
                    if (e.Outcome == OfferOutcome.Accepted)
                    {
                        acceptedAt[o.Index] = now;
                        break;
                    }

                    Release(o, e.Worker);
                    declined[o.Index].Add(e.Worker);
                    worker[o.Index] = null;
                    var next = e.Round >= Timings.MaxOfferRounds ? null : Decide(o, start[o.Index]!.Value, now, DispatchRules, policy, declined[o.Index]);
                    if (next is { } nw)
                    {
                        worker[o.Index] = nw;
                        Offer(o, nw, e.Round + 1, now);
                    }
                    else
                    {
                        manual[o.Index] = true;
                        At(now + OperatorDelay, new Event(Kind.Operator, o.Index));
                    }

                    break;
                case Kind.Operator:
                    // The operator phones round for the nearest free worker (route-aware) and books them directly.
                    var op = Decide(o, start[o.Index]!.Value, now, DispatchRules, Operator, declined[o.Index]);
                    decisionMs.RemoveAt(decisionMs.Count - 1);
                    rankMs.RemoveAt(rankMs.Count - 1);
                    if (op is { } ow)
                    {
                        (worker[o.Index], acceptedAt[o.Index]) = (ow, now);
                    }

                    break;
            }
        }

        var cpuMsPerDecision = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, decisionMs.Count);
        var outcomes = day.Orders.Select(o => new OrderOutcome(o, acceptedAt[o.Index] is null ? null : worker[o.Index], start[o.Index],
            acceptedAt[o.Index], manual[o.Index], offers[o.Index])).ToList();
        return new OnlineResult(policy.Name, outcomes, decisionMs, rankMs, cpuMsPerDecision);
    }

    private static readonly GreedyNearestPolicy Operator = new("operator", FromPreviousJob: true);

    /// <summary>A uniform draw in [0, 1) fixed by (seed, order, worker, purpose): common random numbers across policies.</summary>
    private double Draw(int order, int workerIndex, int purpose)
    {
        var x = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)order * 0xBF58476D1CE4E5B9UL ^ (ulong)workerIndex * 0x94D049BB133111EBUL ^ (ulong)purpose << 56;
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL; x ^= x >> 27; x *= 0x94D049BB133111EBUL; x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }
}
