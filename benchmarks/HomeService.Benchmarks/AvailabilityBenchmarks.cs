using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using HomeService.Domain.Scheduling;

namespace HomeService.Benchmarks;

/// <summary>One customer asking for 30 days of slots for one item at one address, against 500 candidate workers.</summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public class AvailabilityBenchmarks
{
    private AvailabilityQuery _query = null!;
    private List<CandidateWorker> _workers = null!;

    [Params(500)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var first = new DateOnly(2025, 6, 2);
        _workers = CityGenerator.Workers(Workers, first, 31, seed: 42);
        _query = new AvailabilityQuery(CityGenerator.Item, CityGenerator.Centre with { Latitude = CityGenerator.Centre.Latitude + 0.02 },
            first, first.AddDays(29), WorkerId: null, Now: ZoneTime.ToUtc(first, new TimeOnly(8, 0), CityGenerator.Zone),
            CityGenerator.Zone, new AvailabilityRules(MinimumNoticeMinutes: 120, HorizonDays: 30, StepMinutes: 30));
        var result = AvailabilityCalculator.Find(_query, _workers);
        Console.WriteLine($"// slots={result.Slots.Count} worker-slot pairs={result.Slots.Sum(s => s.WorkerCount)} reservations={_workers.Sum(w => w.Calendar.Reservations.Count)}");
    }

    /// <summary>Adds P95 and Max next to the default Mean/Error/StdDev (BenchmarkDotNet has no P99 column; see LatencyRun).</summary>
    private sealed class Percentiles : ManualConfig
    {
        public Percentiles() => AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
    }

    public AvailabilityResult RunOnce() => AvailabilityCalculator.Find(_query, _workers);

    [Benchmark]
    public int ThirtyDaysFiveHundredWorkers() => AvailabilityCalculator.Find(_query, _workers).Slots.Count;
}
