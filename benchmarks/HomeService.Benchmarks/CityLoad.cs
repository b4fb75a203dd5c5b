using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HomeService.Domain.Common;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Benchmarks;

/// <summary>
/// City-scale load (issue 12 point 5): one generated Shanghai of 500, then 5,000, then 20,000 approved workers (homes spread
/// over the city — half within 8 km of People's Square, a third 8–20 km out, the rest to 35 km — radii 3–15 km, a weekly
/// plan of 8–10 h with lunch and one or two days off, 1–3 booked visits in the coming week), written straight into Cosmos
/// with the app's own document types, on the local stack, served by the published local host with usage headers on.
/// For each size, through HTTP as a customer would: availability over 7 and 30 days, "choose a worker", item search within
/// 5 km of the customer's address sorted by distance, and auto-assigned bookings (of slots the availability calls offered),
/// one call at a time, from 12 customers' addresses within 10 km of the centre. Per kind: p50 / p99 wall time at the client, Cosmos requests and KB per call (the app's own count, the
/// X-Cosmos-Requests / X-Cosmos-Response-Bytes headers), the host's CPU per call (/proc utime+stime over the phase ÷
/// calls, background pollers and the Durable engine included), the local Cosmos server's CPU per call (the stack's node
/// process, same way; its query indexes are scripts/cosmos-index.mjs) and any non-2xx answer. --calls availability calls
/// over 7 days, as many over 30 days, worker choices and searches, half as many bookings. Prints a markdown table and the
/// machine's load.
///
///   dotnet run --project benchmarks/HomeService.Benchmarks -c Release -- --load [--workers 500,5000,20000] [--calls 100] [--no-publish]
///
/// Linux only (/proc).
/// </summary>
public static class CityLoad
{
    private const string CityId = "load-shanghai";
    private const string ItemId = "load-clean-2h";
    private const int Customers = 12;
    private const int WarmUpRounds = 3;
    private static readonly string[] WorkerSorts = ["rating", "distance", "price", "soonest"];
    private static readonly GeoPoint Centre = new(31.2304, 121.4737);
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private sealed record Call(double Ms, long Requests, long Bytes, HttpStatusCode Status)
    {
        /// <summary>The call's place in its phase and how far into the phase it started (for reading a tail).</summary>
        public int Index { get; init; }

        public double AtMs { get; init; }
    }

    private sealed record Phase(string Name, int Workers, List<Call> Calls, double CpuMsPerCall, double ServerCpuMsPerCall);

    private sealed record Customer(HttpClient Client, string AddressId, GeoPoint At);

    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task RunAsync(string[] args)
    {
        var sizes = StringArg(args, "--workers", "500,5000,20000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToArray();
        var calls = ColdStart.IntArg(args, "--calls", 100);
        var root = ColdStart.RepoRoot();
        var output = Path.Combine(root, "artifacts", "load", "localhost");
        if (!args.Contains("--no-publish"))
        {
            ColdStart.Publish(root, Path.Combine("functions", "HomeService.LocalHost"), output);
        }

        var data = Path.Combine(Path.GetTempPath(), $"homeservice-load-{Environment.ProcessId}");
        using var stack = ColdStart.StartStack(root, data);
        var settings = JsonDocument.Parse(stack.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The local stack did not start."));
        var environment = ColdStart.HostEnvironment(settings, Path.Combine(data, "jwt-signing-key"), seedDemo: false);
        var port = ColdStart.FreePort();
        using var host = StartHost(Path.Combine(output, "HomeService.LocalHost.dll"), port, environment);
        var phases = new List<Phase>();
        try
        {
            var api = new Uri($"http://127.0.0.1:{port}/api/");
            await WaitHealthyAsync(api, host);
            using var db = new CosmosDb(Options.Create(new CosmosOptions
            {
                Endpoint = environment["Cosmos__Endpoint"], Key = environment["Cosmos__Key"], LocalServer = true,
            }));
            await WriteCatalogAsync(new CatalogStore(db, TimeProvider.System));
            var customers = await CustomersAsync(api);
            var rng = new Random(20261203);
            var written = 0;
            foreach (var size in sizes)
            {
                var clock = Stopwatch.StartNew();
                await WriteWorkersAsync(db, rng, written, size);
                Console.WriteLine($"{size} workers written ({size - written} new in {clock.Elapsed.TotalSeconds:F0} s)");
                written = size;
                phases.AddRange(await MeasureAsync(host.Id, stack.Id, customers, size, calls));
            }

            Console.WriteLine();
            Console.WriteLine(Table(phases));
            Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()} (1/5/15-min averages, running/total, last pid); " +
                              $"{Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; .NET {Environment.Version}");
        }
        finally
        {
            ColdStart.Stop(host);
            stack.StandardInput.Close(); // the stack stops when its stdin closes
            stack.WaitForExit(10_000);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static async Task<List<Phase>> MeasureAsync(int hostPid, int serverPid, IReadOnlyList<Customer> customers, int size, int calls)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Zone).DateTime);
        string Availability(Customer c, int days) =>
            $"customer/availability?itemId={ItemId}&addressId={c.AddressId}&from={today:yyyy-MM-dd}&to={today.AddDays(days - 1):yyyy-MM-dd}";
        static string Search(Customer c) => string.Create(CultureInfo.InvariantCulture,
            $"catalog/cities/{CityId}/items?latitude={c.At.Latitude}&longitude={c.At.Longitude}&maxDistanceKm=5&sort=distance");
        var slots = new List<(Customer Customer, DateTimeOffset Start)>();
        var rng = new Random(size);

        // Warm-up, not measured: JIT and caches. A bigger city takes code paths a smaller one did not (dense areas read
        // their inner block first), whose first ~30 calls run tier-0 code; three rounds per kind get past that.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            for (var i = 0; i < customers.Count; i++)
            {
                var c = customers[i];
                _ = await TimedAsync(c.Client, HttpMethod.Get, Availability(c, 7));
                _ = await TimedAsync(c.Client, HttpMethod.Get, Availability(c, 30));
                _ = await TimedAsync(c.Client, HttpMethod.Get, $"customer/workers?itemId={ItemId}&addressId={c.AddressId}&sort={WorkerSorts[(round + i) % WorkerSorts.Length]}");
                _ = await TimedAsync(c.Client, HttpMethod.Get, Search(c));
            }
        }

        var phases = new List<Phase>
        {
            await PhaseAsync("availability 7 d", size, (hostPid, serverPid), calls, async i =>
            {
                var c = customers[i % customers.Count];
                var (call, body) = await TimedAsync(c.Client, HttpMethod.Get, Availability(c, 7));
                foreach (var slot in body?.RootElement.GetProperty("slots").EnumerateArray() ?? default)
                {
                    slots.Add((c, slot.GetProperty("start").GetDateTimeOffset()));
                }

                return call;
            }),
            await PhaseAsync("availability 30 d", size, (hostPid, serverPid), calls, async i =>
            {
                var c = customers[i % customers.Count];
                return (await TimedAsync(c.Client, HttpMethod.Get, Availability(c, 30))).Call;
            }),
            await PhaseAsync("choose a worker", size, (hostPid, serverPid), calls, async i =>
            {
                var c = customers[i % customers.Count];
                var sort = WorkerSorts[i % WorkerSorts.Length];
                return (await TimedAsync(c.Client, HttpMethod.Get, $"customer/workers?itemId={ItemId}&addressId={c.AddressId}&sort={sort}")).Call;
            }),
            await PhaseAsync("search items within 5 km", size, (hostPid, serverPid), calls, async i =>
            {
                var c = customers[i % customers.Count];
                return (await TimedAsync(c.Client, HttpMethod.Get, Search(c))).Call;
            }),
        };
        var offered = slots.DistinctBy(s => (s.Customer.AddressId, s.Start)).OrderBy(_ => rng.Next()).ToList();
        phases.Add(await PhaseAsync("booking (auto-assign)", size, (hostPid, serverPid), Math.Min(Math.Max(1, calls / 2), offered.Count), async i =>
        {
            var (c, start) = offered[i];
            var body = JsonContent.Create(new { itemId = ItemId, addressId = c.AddressId, start });
            return (await TimedAsync(c.Client, HttpMethod.Post, "customer/orders", body, idempotencyKey: $"load-{size}-{i}")).Call;
        }));
        foreach (var phase in phases)
        {
            Console.WriteLine(Row(phase));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  slowest: {string.Join(", ",
                phase.Calls.OrderByDescending(c => c.Ms).Take(4).Select(c => $"{c.Ms:F1} ms (#{c.Index} at {c.AtMs / 1000:F1} s, {c.Requests} req)"))}"));
        }

        return phases;
    }

    private static async Task<Phase> PhaseAsync(string name, int size, (int Host, int Server) pids, int calls, Func<int, Task<Call>> call)
    {
        var list = new List<Call>(calls);
        var cpu = ColdStart.CpuMilliseconds(pids.Host);
        var serverCpu = ColdStart.CpuMilliseconds(pids.Server);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var at = clock.Elapsed.TotalMilliseconds;
            list.Add(await call(i) with { Index = i, AtMs = at });
        }

        return new Phase(name, size, list, (ColdStart.CpuMilliseconds(pids.Host) - cpu) / calls, (ColdStart.CpuMilliseconds(pids.Server) - serverCpu) / calls);
    }

    private static async Task<(Call Call, JsonDocument? Body)> TimedAsync(
        HttpClient client, HttpMethod method, string path, HttpContent? content = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        static long Header(HttpResponseMessage r, string name) =>
            r.Headers.TryGetValues(name, out var v) ? long.Parse(v.First(), CultureInfo.InvariantCulture) : -1;
        var call = new Call(ms, Header(response, CosmosUsageHeaders.Requests), Header(response, CosmosUsageHeaders.ResponseBytes), response.StatusCode);
        return (call, response.IsSuccessStatusCode && text.StartsWith('{') ? JsonDocument.Parse(text) : null);
    }

    private static string Table(IEnumerable<Phase> phases)
    {
        var text = new StringBuilder();
        text.AppendLine("| call | workers in city | calls | p50 | p99 | Cosmos requests / call (median, max) | Cosmos KB / call (median, max) | host CPU / call | local Cosmos server CPU / call | answers |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var phase in phases)
        {
            text.AppendLine(Row(phase));
        }

        return text.ToString();
    }

    private static string Row(Phase p)
    {
        var ms = p.Calls.Select(c => c.Ms).ToList();
        var requests = p.Calls.Select(c => (double)c.Requests).ToList();
        var kb = p.Calls.Select(c => c.Bytes / 1024.0).ToList();
        var answers = string.Join(", ", p.Calls.GroupBy(c => (int)c.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()}× {g.Key}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {p.Name} | {p.Workers:N0} | {p.Calls.Count} | {Percentile(ms, 50):F1} ms | {Percentile(ms, 99):F1} ms | {Percentile(requests, 50):F0}, {requests.Max():F0} | {Percentile(kb, 50):F1}, {kb.Max():F1} | {p.CpuMsPerCall:F1} ms | {p.ServerCpuMsPerCall:F1} ms | {answers} |");
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static async Task WriteCatalogAsync(CatalogStore catalog)
    {
        await catalog.UpsertAsync(CityDocument.Kind, new CityDocument
        {
            Id = CityId, Name = "上海", TimeZone = Zone.Id, Active = true, Center = new GeoCenter(Centre.Latitude, Centre.Longitude),
            Districts = ["黄浦区", "静安区", "徐汇区", "长宁区", "普陀区", "虹口区", "杨浦区", "浦东新区", "闵行区", "宝山区"],
        }, CancellationToken.None);
        await catalog.UpsertAsync(ItemDocument.Kind, new ItemDocument
        {
            Id = ItemId, Name = "日常保洁 2 小时", CategoryId = "cleaning", DurationMinutes = 120, BufferMinutes = 30, PriceFen = 12_000,
            ExtraFees = new ExtraFees(new TravelFeeRule(3, 200, 3_000), 500), CityIds = [CityId], Active = true,
        }, CancellationToken.None);
    }

    private static async Task<List<Customer>> CustomersAsync(Uri api)
    {
        var rng = new Random(7);
        var customers = new List<Customer>();
        for (var i = 0; i < Customers; i++)
        {
            var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
            using var login = await client.PostAsJsonAsync("auth/wechat/login", new { code = $"test-load-{i}" });
            var token = (await login.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var at = CityGenerator.Around(rng, 10, Centre);
            using var created = await client.PostAsJsonAsync("customer/addresses", new
            {
                contactName = "王女士", contactPhone = "13812345678", cityId = CityId, detail = $"测试地址 {i}", latitude = at.Latitude, longitude = at.Longitude,
            });
            var address = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            customers.Add(new Customer(client, address, at));
        }

        return customers;
    }

    /// <summary>Workers <paramref name="from"/>..<paramref name="to"/>-1 with their plan and calendar, 16 writes at a time.</summary>
    private static async Task WriteWorkersAsync(CosmosDb db, Random rng, int from, int to)
    {
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);
        var documents = Enumerable.Range(from, to - from).Select(i => Generate(rng, i, now, today)).ToList();
        await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (d, ct) =>
        {
            await db.Workers.UpsertItemAsync(d.Worker, new PartitionKey(d.Worker.Id), cancellationToken: ct);
            await db.Schedules.UpsertItemAsync(d.Plan, new PartitionKey(d.Worker.Id), cancellationToken: ct);
            await db.Schedules.UpsertItemAsync(d.Calendar, new PartitionKey(d.Worker.Id), cancellationToken: ct);
        });
    }

    private static (WorkerDocument Worker, PlanDocument Plan, CalendarDocument Calendar) Generate(Random rng, int i, DateTimeOffset now, DateOnly today)
    {
        var id = $"load-w{i:D5}";
        var band = rng.NextDouble();
        var home = band < 0.5 ? CityGenerator.Around(rng, 8, Centre) : band < 0.85 ? Ring(rng, 8, 20) : Ring(rng, 20, 35);
        var startHour = rng.Next(7, 11);
        var length = rng.Next(8, 11);
        var daysOff = new HashSet<DayOfWeek> { (DayOfWeek)rng.Next(7) };
        if (rng.Next(2) == 0)
        {
            daysOff.Add((DayOfWeek)rng.Next(7));
        }

        var worker = new WorkerDocument
        {
            Id = id, Status = AuditStatus.Approved, RealName = $"师傅{i}", IdNumberMasked = "3101**********0000", IdNumberHash = $"load-{i}",
            Gender = rng.Next(2) == 0 ? "female" : "male", CityId = CityId, Skills = [new WorkerSkill(ItemId, rng.Next(4) == 0 ? 9_900 + 100 * rng.Next(60) : null)],
            SkillItemIds = [ItemId], YearsOfExperience = rng.Next(0, 16), ServiceRadiusKm = 3 + rng.Next(13), HomeBase = new GeoLocation(home.Latitude, home.Longitude),
            Accepting = true, Rating = new RatingSummary(Math.Round(3.5 + rng.NextDouble() * 1.5, 2), rng.Next(0, 200)), CreatedAt = now,
        };
        var plan = new PlanDocument
        {
            WorkerId = id,
            Days = [.. Enum.GetValues<DayOfWeek>().Where(d => !daysOff.Contains(d)).Select(d => new DayPlanDto(d,
                [new IntervalDto($"{startHour:D2}:00", $"{startHour + length:D2}:00")], [new IntervalDto("12:00", "13:00")]))],
        };
        var visits = Enumerable.Range(1, 6).OrderBy(_ => rng.Next()).Take(rng.Next(1, 4)).Order().Select(d =>
        {
            var start = new DateTimeOffset(today.AddDays(d).ToDateTime(new TimeOnly(startHour + 1 + rng.Next(length - 4), 0)), Zone.BaseUtcOffset).ToUniversalTime();
            return new CalendarEntry($"load-o{i:D5}-{d}", start, start.AddMinutes(120), CityGenerator.Around(rng, 3, home), now);
        });
        return (worker, plan, new CalendarDocument { WorkerId = id, Reservations = [.. visits] });
    }

    /// <summary>A point uniformly spread over the ring between <paramref name="innerKm"/> and <paramref name="outerKm"/> from the centre.</summary>
    private static GeoPoint Ring(Random rng, double innerKm, double outerKm)
    {
        while (true)
        {
            var p = CityGenerator.Around(rng, outerKm, Centre);
            if (p.DistanceMetersTo(Centre) >= innerKm * 1000)
            {
                return p;
            }
        }
    }

    private static Process StartHost(string dll, int port, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The local host could not be started");
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("fail:", StringComparison.Ordinal) == true) Console.Error.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(Uri api, Process host)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && !host.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException("The local host did not become healthy within 90 s.");
    }

    private static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
