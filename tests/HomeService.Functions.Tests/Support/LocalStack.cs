using System.Diagnostics;
using System.Text.Json;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// The real local emulators (Azurite and the Cosmos-compatible server), started once per test run on
/// free loopback ports by scripts/local-stack.mjs and stopped when the test process ends.
/// </summary>
public sealed class LocalStack
{
    private static readonly Lazy<LocalStack> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private LocalStack(string cosmosEndpoint, string cosmosKey, string storageConnectionString)
    {
        CosmosEndpoint = cosmosEndpoint;
        CosmosKey = cosmosKey;
        StorageConnectionString = storageConnectionString;
    }

    public static LocalStack Instance => Shared.Value;

    public string CosmosEndpoint { get; }
    public string CosmosKey { get; }
    public string StorageConnectionString { get; }

    public static string RepoRoot { get; } = FindRepoRoot();

    private static LocalStack Start()
    {
        // Free ports are picked by binding and letting go; a stack started at the same moment (a restart test's) may
        // take one first and this one exit. Another try picks other ports.
        var errors = new List<string>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            if (TryStart(attempt, out var stack, out var error))
            {
                return stack!;
            }

            errors.Add(error!);
        }

        throw new InvalidOperationException("The local stack did not start (is `npm ci` done?):\n" + string.Join("\n", errors));
    }

    private static bool TryStart(int attempt, out LocalStack? stack, out string? error)
    {
        var script = Path.Combine(RepoRoot, "scripts", "local-stack.mjs");
        var data = Path.Combine(RepoRoot, ".local", $"test-azurite-{Environment.ProcessId}-{attempt}");
        var start = new ProcessStartInfo("node", [script, "--ephemeral", "--data", data])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (line is null)
        {
            process.WaitForExit(5000);
            lock (stderr)
            {
                error = $"attempt {attempt}: the stack exited ({stderr.ToString().Trim()})";
            }

            stack = null;
            return false;
        }

        // Closing our end of stdin (when this process exits, however it exits) stops the emulators.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.StandardInput.Close();
                process.WaitForExit(5000);
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        };

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        stack = new LocalStack(
            root.GetProperty("cosmosEndpoint").GetString()!,
            root.GetProperty("cosmosKey").GetString()!,
            root.GetProperty("storageConnectionString").GetString()!);
        error = null;
        return true;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HomeService.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (HomeService.Functions.sln).");
    }
}
