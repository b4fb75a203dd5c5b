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
        var script = Path.Combine(RepoRoot, "scripts", "local-stack.mjs");
        var start = new ProcessStartInfo("node", [script, "--ephemeral", "--data", Path.Combine(RepoRoot, ".local", $"test-azurite-{Environment.ProcessId}")])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
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

        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult()
                   ?? throw new InvalidOperationException("The local stack exited before it was ready (is `npm ci` done?).");
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new LocalStack(
            root.GetProperty("cosmosEndpoint").GetString()!,
            root.GetProperty("cosmosKey").GetString()!,
            root.GetProperty("storageConnectionString").GetString()!);
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
