using System.Globalization;
using HomeService.Domain.Dispatch;

namespace HomeService.Benchmarks.Simulation;

/// <summary>
/// <c>--simulate-dispatch [--seed 42] [--workers 4500] [--orders 10000] [--out docs]</c>: one seeded city day, the app's
/// dispatch (the domain's <see cref="CandidateScoring"/> over the lifecycle's rounds) against greedy, round-robin and
/// the offline optimum; writes dispatch-simulation.csv, dispatch-simulation.png and dispatch-simulation.md to the folder.
/// </summary>
public static class DispatchSimulation
{
    public static void Run(string[] args)
    {
        var seed = Option(args, "--seed", 42);
        var workerCount = Option(args, "--workers", 4500);
        var orderCount = Option(args, "--orders", 10000);
        var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? "docs";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var day = CityDay.Generate(workerCount, orderCount, seed);
        var online = new OnlineDispatch(day, seed);
        Console.WriteLine($"City day: {workerCount} workers, {orderCount} orders, seed {seed} (generated in {clock.Elapsed.TotalSeconds:0.0} s)");

        var greedy = new GreedyNearestPolicy("greedy nearest free worker (from home base)", FromPreviousJob: false);
        IDispatchPolicy[] policies = args.Contains("--explore") ? [greedy, .. Explore] :
        [
            new AppPolicy("app before issue 13 (home-base travel, old weights)", Before, HomeBaseTravel: true),
            new AppPolicy("app (domain scoring, tuned)", ScoringWeights.Default),
            greedy,
            new GreedyNearestPolicy("greedy nearest (from previous job)", FromPreviousJob: true),
            new RoundRobinPolicy("round-robin"),
        ];
        var rows = new List<PolicyFigures>();
        foreach (var policy in policies)
        {
            var started = clock.Elapsed;
            rows.Add(DispatchReport.Of(day, online.Run(policy)));
            Console.WriteLine($"  {policy.Name}: {(clock.Elapsed - started).TotalSeconds:0.0} s");
        }

        if (args.Contains("--explore"))
        {
            Console.WriteLine(DispatchReport.Markdown(rows, rows[0], rows[0]));
            return;
        }

        var offline = OfflineOptimum.Solve(day, online);
        Console.WriteLine($"  offline optimum: {offline.Arcs:N0} arcs, solved in {offline.SolveTime.TotalSeconds:0.0} s");
        var optimum = DispatchReport.Of(day, offline);
        rows.Add(optimum);

        Directory.CreateDirectory(output);
        var table = DispatchReport.Markdown(rows, optimum, rows.Single(r => r.Policy == greedy.Name));
        File.WriteAllText(Path.Combine(output, "dispatch-simulation.csv"), DispatchReport.Csv(rows));
        File.WriteAllText(Path.Combine(output, "dispatch-simulation.md"), table);
        DispatchReport.Chart(rows, Path.Combine(output, "dispatch-simulation.png"), $"{workerCount} workers, {orderCount} orders, seed {seed}");
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"Total {clock.Elapsed.TotalSeconds:0} s; wrote {output}/dispatch-simulation.csv, .md and .png");
    }

    /// <summary>The weights the app shipped before the simulation tuned them.</summary>
    public static readonly ScoringWeights Before = new(Travel: 0.35, Rating: 0.25, Load: 0.15, Acceptance: 0.15, Fairness: 0.10, MaxTravelMinutes: 60);

    /// <summary>Weight sets tried while tuning (<c>--explore</c>): travel share against rating, load, acceptance, fairness.</summary>
    private static readonly IDispatchPolicy[] Explore =
    [
        new AppPolicy("old weights, detour travel", Before),
        new AppPolicy("T.55 R.15 L.10 A.10 F.10 /60", new(0.55, 0.15, 0.10, 0.10, 0.10, MaxTravelMinutes: 60)),
        new AppPolicy("T.55 R.15 L.10 A.10 F.10 /30", new(0.55, 0.15, 0.10, 0.10, 0.10, MaxTravelMinutes: 30)),
        new AppPolicy("T.70 R.10 L.05 A.10 F.05 /30", new(0.70, 0.10, 0.05, 0.10, 0.05, MaxTravelMinutes: 30)),
        new AppPolicy("T.60 R.10 L.05 A.20 F.05 /30", new(0.60, 0.10, 0.05, 0.20, 0.05, MaxTravelMinutes: 30)),
        new AppPolicy("T.80 R.05 L.05 A.05 F.05 /30", new(0.80, 0.05, 0.05, 0.05, 0.05, MaxTravelMinutes: 30)),
        new AppPolicy("T.60 R.10 L.10 A.10 F.10 /20", new(0.60, 0.10, 0.10, 0.10, 0.10, MaxTravelMinutes: 20)),
        new AppPolicy("travel only /60", new(1, 0, 0, 0, 0, MaxTravelMinutes: 60)),
    ];

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
