using BenchmarkDotNet.Running;
using HomeService.Benchmarks;

if (args is ["--simulate-dispatch", ..])
    HomeService.Benchmarks.Simulation.DispatchSimulation.Run(args);
else if (args is ["--cold-start", ..])
    ColdStart.Run(args);
else if (args is ["--load", ..])
    CityLoad.Run(args);
else if (args is ["--latency", ..])
    LatencyRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500);
else
    BenchmarkSwitcher.FromAssembly(typeof(AvailabilityBenchmarks).Assembly).Run(args);
