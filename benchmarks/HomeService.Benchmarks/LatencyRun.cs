using System.Diagnostics;

namespace HomeService.Benchmarks;

/// <summary>Request-style latency: many single calls, sorted, read off at p50/p95/p99 (BenchmarkDotNet reports means of batches).</summary>
public static class LatencyRun
{
    public static void Run(int iterations)
    {
        var bench = new AvailabilityBenchmarks { Workers = 500 };
        bench.Setup();
        for (var i = 0; i < 20; i++) bench.RunOnce(); // warm up the JIT tiers
        var ms = new double[iterations];
        var cpuBefore = Environment.CpuUsage.UserTime + Environment.CpuUsage.PrivilegedTime;
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            bench.RunOnce();
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        var cpu = Environment.CpuUsage.UserTime + Environment.CpuUsage.PrivilegedTime - cpuBefore;
        Array.Sort(ms);
        double P(double p) => ms[(int)Math.Ceiling(p * iterations) - 1];
        Console.WriteLine($"latency n={iterations} mean={ms.Average():F2} ms p50={P(0.50):F2} ms p95={P(0.95):F2} ms p99={P(0.99):F2} ms max={ms[^1]:F2} ms cpu/call={cpu.TotalMilliseconds / iterations:F2} ms");
    }
}
