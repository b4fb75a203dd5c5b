using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// A local stack (scripts/local-stack.mjs) of its own, as run.sh starts it: Azurite's files and the Cosmos snapshot in
/// <paramref name="dataDirectory"/>, so another stack started on the same directory finds the same data.
/// </summary>
public sealed class StackProcess : IAsyncDisposable
{
    private readonly Process _process;

    private StackProcess(Process process, JsonElement settings)
    {
        _process = process;
        CosmosEndpoint = settings.GetProperty("cosmosEndpoint").GetString()!;
        CosmosKey = settings.GetProperty("cosmosKey").GetString()!;
        StorageConnectionString = settings.GetProperty("storageConnectionString").GetString()!;
    }

    public string CosmosEndpoint { get; }
    public string CosmosKey { get; }
    public string StorageConnectionString { get; }

    /// <summary>Starts the stack; a start that lost a free port to a stack starting at the same moment is tried again.</summary>
    public static async Task<StackProcess> StartAsync(string dataDirectory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(dataDirectory);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Other ports next time.
            }
        }
    }

    private static async Task<StackProcess> TryStartAsync(string dataDirectory)
    {
        var start = new ProcessStartInfo("node",
            [Path.Combine(LocalStack.RepoRoot, "scripts", "local-stack.mjs"), "--data", Path.Combine(dataDirectory, "azurite"),
             "--cosmos-data", Path.Combine(dataDirectory, "cosmos.json")])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = LocalStack.RepoRoot,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                   ?? throw new InvalidOperationException("The local stack exited before it was ready.");
        using var json = JsonDocument.Parse(line);
        return new StackProcess(process, json.RootElement.Clone());
    }

    /// <summary>A full, clean stop (what Ctrl-C of run.sh does): the stack writes its final snapshot and exits.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

/// <summary>The local host as its own process (<c>dotnet HomeService.LocalHost.dll</c>, as run.sh starts it), to be killed for real.</summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LocalHostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public HttpClient Client() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = typeof(LocalHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(LocalStack.RepoRoot, "functions", "HomeService.LocalHost", "bin", configuration, "net10.0", "HomeService.LocalHost.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The local host could not be started.");
        // Drain its output so a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new LocalHostProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = host.Client();
        var ready = await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The local host exited with {process.ExitCode} while starting.");
            }

            try
            {
                return (await client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK ? (bool?)true : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, TimeSpan.FromSeconds(90));
        return ready == true ? host : throw new TimeoutException("The local host did not answer /api/health within 90 s.");
    }

    /// <summary>kill -9: no shutdown code of the app runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
