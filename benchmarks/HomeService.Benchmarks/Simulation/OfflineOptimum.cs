using Google.OrTools.Graph;
using HomeService.Domain.Scheduling;

namespace HomeService.Benchmarks.Simulation;

/// <summary>The offline bound: how many orders can be served and the least travel that serves them.</summary>
/// <param name="Chains">Each flow path (a first job reached from a worker's home, then jobs that follow in time): worker index and order indexes.</param>
public sealed record OfflineResult(int Served, double TravelKm, int Arcs, TimeSpan SolveTime, IReadOnlyList<(int Worker, IReadOnlyList<int> Orders)> Chains);

/// <summary>
/// The whole day known in advance, solved as one min-cost flow (Google OR-Tools <see cref="MinCostFlow"/>): a unit of
/// flow leaves a worker's home, serves a chain of orders at their asked starts, each reachable from the one before
/// (gap ≥ buffer + travel, the calendar's rule) and returns to the sink. Serving an order earns a reward far above any
/// travel, so the flow first serves as many orders as it can and then minimises the road kilometres (home → first job
/// → next …). Arcs are the candidates within reach: a worker → order arc only for the
/// <see cref="WorkerArcsPerOrder"/> nearest workers who offer the item, cover the address and work at that time;
/// an order → order arc only for the <see cref="SuccessorsPerOrder"/> nearest orders starting within 3 h of its end.
/// A chain does not re-check the later orders against the first worker's skills, radius, lunch and end of day, so the
/// optimum is a relaxation of the real problem: a lower bound on travel at a fulfilment the real optimum cannot exceed.
/// </summary>
public static class OfflineOptimum
{
    public const int WorkerArcsPerOrder = 30;
    public const int SuccessorsPerOrder = 25;
    private const long ServeReward = 10_000_000; // metres: 10,000 km, more than any day's travel

    public static OfflineResult Solve(CityDay day, OnlineDispatch eligibility)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (workers, orders) = (day.Workers, day.Orders);
        int w = workers.Count, n = orders.Count;
        const int source = 0, sink = 1;
        int Worker(int i) => 2 + i;
        int In(int j) => 2 + w + j;
        int Out(int j) => 2 + w + n + j;
        var flow = new MinCostFlow();
        var rules = new AvailabilityRules(MinimumNoticeMinutes: 0, StepMinutes: 30, Travel: CityDay.Travel);
        var early = orders.Min(o => o.BookedAt);

        flow.AddArcWithCapacityAndUnitCost(source, sink, w, 0);
        for (var i = 0; i < w; i++) flow.AddArcWithCapacityAndUnitCost(source, Worker(i), 1, 0);
        var firstArcs = new List<(int Arc, int Worker, int Order)>();
        var nextArcs = new List<(int Arc, int From, int To)>();
        var byStart = orders.OrderBy(o => o.Start).ToArray();
        var starts = byStart.Select(o => o.Start.UtcTicks).ToArray();
        foreach (var o in orders)
        {
            var spec = o.Item.Spec;
            foreach (var (wi, metres) in eligibility.Eligible(o.Index)
                         .Where(i => AvailabilityCalculator.CanWorkerTake(workers[i].Domain, spec, o.Location, o.Start, early, CityDay.Zone, rules) == SlotVerdict.Available)
                         .Select(i => (i, Metres(workers[i].Domain.HomeBase.DistanceMetersTo(o.Location))))
                         .OrderBy(x => x.Item2).Take(WorkerArcsPerOrder))
            {
                firstArcs.Add((flow.AddArcWithCapacityAndUnitCost(Worker(wi), In(o.Index), 1, metres), wi, o.Index));
            }

            flow.AddArcWithCapacityAndUnitCost(In(o.Index), Out(o.Index), 1, -ServeReward);
            flow.AddArcWithCapacityAndUnitCost(Out(o.Index), sink, 1, 0);

            var from = Array.BinarySearch(starts, o.End.AddMinutes(spec.BufferMinutes + CityDay.Travel.MinimumMinutes).UtcTicks);
            if (from < 0) from = ~from;
            var horizon = o.End.AddHours(3).UtcTicks;
            var successors = new List<(int Order, long Metres)>();
            for (var k = from; k < byStart.Length && starts[k] <= horizon; k++)
            {
                var next = byStart[k];
                var gap = spec.BufferMinutes + CityDay.Travel.MinutesBetween(o.Location, next.Location);
                if (next.Start >= o.End.AddMinutes(gap)) successors.Add((next.Index, Metres(o.Location.DistanceMetersTo(next.Location))));
            }

            foreach (var (to, metres) in successors.OrderBy(s => s.Metres).Take(SuccessorsPerOrder))
            {
                nextArcs.Add((flow.AddArcWithCapacityAndUnitCost(Out(o.Index), In(to), 1, metres), o.Index, to));
            }
        }

        flow.SetNodeSupply(source, w);
        flow.SetNodeSupply(sink, -w);
        var status = flow.Solve();
        if (status != MinCostFlowBase.Status.OPTIMAL) throw new InvalidOperationException($"The offline min-cost flow ended {status}");

        var served = 0;
        var successor = new Dictionary<int, int>();
        double metresTotal = 0;
        foreach (var (arc, from, to) in nextArcs)
        {
            if (flow.Flow(arc) > 0) { successor[from] = to; metresTotal += flow.UnitCost(arc); }
        }

        var chains = new List<(int, IReadOnlyList<int>)>();
        foreach (var (arc, wi, first) in firstArcs)
        {
            if (flow.Flow(arc) == 0) continue;
            metresTotal += flow.UnitCost(arc);
            var chain = new List<int> { first };
            while (successor.TryGetValue(chain[^1], out var next)) chain.Add(next);
            served += chain.Count;
            chains.Add((wi, chain));
        }

        return new OfflineResult(served, metresTotal / 1000, flow.NumArcs(), clock.Elapsed, chains);
    }

    /// <summary>Road metres for a straight-line distance.</summary>
    private static long Metres(double straightMetres) => (long)Math.Round(straightMetres * CityDay.Travel.RoadFactor);
}
