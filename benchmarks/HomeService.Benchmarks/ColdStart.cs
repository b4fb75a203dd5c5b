using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace HomeService.Benchmarks;

/// <summary>
/// Cold start, side by side (issue 12 point 6): a bare ASP.NET Core minimal app (benchmarks/BareMinimalApp) and the local
/// host (functions/HomeService.LocalHost), both `dotnet publish -c Release` (each project's own publish settings: ReadyToRun
/// for linux-x64), started as `dotnet App.dll` against one local stack whose database, containers, queues, task hub and
/// demo data were created once before measuring (a first, unmeasured start of the host). Then <c>--runs</c> interleaved
/// starts of each: wall time from process start to the first 200 of GET /api/health (polled every 2 ms), the process's
/// CPU time at that moment (/proc/PID/stat utime+stime) and the Cosmos requests the host had made by then (its
/// X-Cosmos-Process-Requests header, Diagnostics:CosmosUsageHeaders=true), and the CPU the local stack (the Cosmos server's
/// node process and Azurite) used meanwhile on the same cores. Prints a markdown table and the load.
///
///   dotnet run --project benchmarks/HomeService.Benchmarks -c Release -- --cold-start [--runs 5] [--no-publish]
///
/// Linux only (/proc). Env for the host as scripts/run.sh sets it (Development, create-if-not-exists on, demo seed on).
/// </summary>
public static class ColdStart
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private sealed record App(string Name, string Dll, IReadOnlyDictionary<string, string> Environment);

    private sealed record Sample(double WallMs, double CpuMs, long? CosmosRequests, double StackCpuMs);

    public static void Run(string[] args)
    {
        var runs = IntArg(args, "--runs", 5);
        var root = RepoRoot();
        var output = Path.Combine(root, "artifacts", "coldstart");
        var bareDll = Path.Combine(output, "bare", "BareMinimalApp.dll");
        var hostDll = Path.Combine(output, "localhost", "HomeService.LocalHost.dll");
        if (!args.Contains("--no-publish"))
        {
            Publish(root, Path.Combine("benchmarks", "BareMinimalApp"), Path.Combine(output, "bare"));
            Publish(root, Path.Combine("functions", "HomeService.LocalHost"), Path.Combine(output, "localhost"));
        }

        var data = Path.Combine(Path.GetTempPath(), $"homeservice-coldstart-{System.Environment.ProcessId}");
        using var stack = StartStack(root, data);
        var settings = JsonDocument.Parse(stack.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The local stack did not start."));
        var hostEnvironment = HostEnvironment(settings, Path.Combine(data, "jwt-signing-key"), seedDemo: true);
        var bare = new App("bare minimal app", bareDll, new Dictionary<string, string>());
        var host = new App("local host", hostDll, hostEnvironment);

        try
        {
            // Creates the database, containers, queues, task hub and demo data (waits until every hosted service has
            // started, so the seed is complete); not measured.
            var prepared = Start(host, stack.Id, untilLogged: "Application started");
            Console.WriteLine($"prepared the local stack (first start of the host: {prepared.WallMs:F0} ms, {prepared.CosmosRequests} Cosmos requests)");
            var samples = new Dictionary<App, List<Sample>> { [bare] = [], [host] = [] };
            for (var i = 0; i < runs; i++)
            {
                foreach (var app in new[] { bare, host })
                {
                    var sample = Start(app, stack.Id);
                    samples[app].Add(sample);
                    Console.WriteLine($"run {i + 1} {app.Name}: {sample.WallMs:F0} ms wall, {sample.CpuMs:F0} ms CPU, {sample.CosmosRequests?.ToString(CultureInfo.InvariantCulture) ?? "–"} Cosmos requests, local stack {sample.StackCpuMs:F0} ms CPU");
                }
            }

            Console.WriteLine();
            Console.WriteLine(Table(samples[bare], samples[host], runs));
            Console.WriteLine($"load: {Uptime()}; {System.Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; .NET {System.Environment.Version}");
        }
        finally
        {
            stack.StandardInput.Close(); // the stack stops when its stdin closes
            stack.WaitForExit(10_000);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>The local host's environment as scripts/run.sh sets it, on the stack whose settings line is <paramref name="settings"/>, with usage headers on.</summary>
    internal static Dictionary<string, string> HostEnvironment(JsonDocument settings, string signingKeyFile, bool seedDemo)
    {
        string Setting(string name) => settings.RootElement.GetProperty(name).GetString()!;
        return new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Cosmos__Endpoint"] = Setting("cosmosEndpoint"),
            ["Cosmos__Key"] = Setting("cosmosKey"),
            ["Cosmos__CreateIfNotExists"] = "true",
            ["Cosmos__LocalServer"] = "true",
            ["Storage__ConnectionString"] = Setting("storageConnectionString"),
            ["Hosting__CreateQueues"] = "true",
            ["Seed__Demo"] = seedDemo ? "true" : "false",
            ["Money__PayoutProvider"] = "Sandbox",
            ["Auth__Sms__Provider"] = "Sandbox",
            ["Auth__WeChat__Provider"] = "Sandbox",
            ["Auth__BootstrapAdminPhones__0"] = "13800000000",
            ["Auth__SigningKeyFile"] = signingKeyFile,
            ["Payments__Sandbox__KeyFile"] = Path.Combine(Path.GetDirectoryName(signingKeyFile)!, "wechatpay-sandbox-keys.json"),
            ["Diagnostics__CosmosUsageHeaders"] = "true",
        };
    }

    private static string Table(List<Sample> bare, List<Sample> host, int runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static string Runs(IEnumerable<double> values) => string.Join(" · ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| app ({runs} interleaved runs) | median wall to first 200 | median CPU | Cosmos requests (median) | local stack CPU meanwhile (median) | wall, each run (ms) | CPU, each run (ms) |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, samples) in new[] { ("bare minimal app", bare), ("local host", host) })
        {
            var cosmos = samples.All(s => s.CosmosRequests is null) ? "–" : Median(samples.Select(s => (double)(s.CosmosRequests ?? 0))).ToString("F0", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(samples.Select(s => s.WallMs)):F0} ms | {Median(samples.Select(s => s.CpuMs)):F0} ms | {cosmos} | {Median(samples.Select(s => s.StackCpuMs)):F0} ms | {Runs(samples.Select(s => s.WallMs))} | {Runs(samples.Select(s => s.CpuMs))} |");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nlocal host / bare app, median wall: {Median(host.Select(s => s.WallMs)) / Median(bare.Select(s => s.WallMs)):F2}×");
        return text.ToString();
    }

    /// <summary>Starts the app, polls /api/health until the first 200, reads its CPU time, then stops it (SIGTERM: the host lets go of its leases).</summary>
    private static Sample Start(App app, int stackPid, string? untilLogged = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [app.Dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(app.Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in app.Environment)
        {
            start.Environment[key] = value;
        }

        var log = new StringBuilder();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = new Uri($"http://127.0.0.1:{port}/api/health");
        var stackCpu = TreeCpuMilliseconds(stackPid);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{app.Name} could not be started");
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (process.HasExited || clock.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"{app.Name} gave no 200 on /api/health within {StartTimeout.TotalSeconds} s:\n{log}");
                }

                try
                {
                    using var response = http.GetAsync(health).GetAwaiter().GetResult();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var wall = clock.Elapsed.TotalMilliseconds;
                        var cpu = CpuMilliseconds(process.Id);
                        var stackCpuMeanwhile = TreeCpuMilliseconds(stackPid) - stackCpu;
                        long? cosmos = response.Headers.TryGetValues("X-Cosmos-Process-Requests", out var values)
                            ? long.Parse(values.First(), CultureInfo.InvariantCulture) : null;
                        while (untilLogged is not null && !Logged(log, untilLogged) && !process.HasExited && clock.Elapsed < StartTimeout)
                        {
                            Thread.Sleep(50);
                        }

                        return new Sample(wall, cpu, cosmos, stackCpuMeanwhile);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                Thread.Sleep(2);
            }
        }
        finally
        {
            Stop(process);
        }
    }

    private static bool Logged(StringBuilder log, string text)
    {
        lock (log)
        {
            return log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    internal static void Stop(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        _ = Kill(process.Id, 15);
        if (!process.WaitForExit(15_000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>utime + stime of the process (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms).</summary>
    internal static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / ClockTicksPerSecond;
    }

    /// <summary><see cref="CpuMilliseconds"/> of the process and every process below it (the stack's node and Azurite).</summary>
    internal static double TreeCpuMilliseconds(int rootPid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }

        var total = 0.0;
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var pid))
        {
            try
            {
                total += CpuMilliseconds(pid);
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var (child, parent) in parents)
            {
                if (parent == pid)
                {
                    pending.Push(child);
                }
            }
        }

        return total;
    }

    private const double ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    internal static void Publish(string root, string project, string output)
    {
        Console.WriteLine($"dotnet publish {project} -c Release -o {Path.GetRelativePath(root, output)}");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", output, "-nologo"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var text = publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed:\n{text}");
        }
    }

    internal static Process StartStack(string root, string data) =>
        Process.Start(new ProcessStartInfo("node", [Path.Combine(root, "scripts", "local-stack.mjs"), "--ephemeral", "--data", data])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node could not be started");

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string Uptime()
    {
        try
        {
            using var uptime = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = uptime.StandardOutput.ReadToEnd().Trim();
            uptime.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HomeService.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HomeService.Functions.sln not found above " + AppContext.BaseDirectory);
    }

    internal static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
