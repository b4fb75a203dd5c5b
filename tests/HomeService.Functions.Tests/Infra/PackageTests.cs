using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.Versioning;
using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Infra;

/// <summary>
/// Runs scripts/package.sh once (from a directory outside the repo, with PACKAGE_FAST=1: no ReadyToRun, same
/// layout) and checks the package the way the Functions host reads an isolated-worker app: host.json at the root,
/// worker.config.json naming the worker, functions.metadata listing the functions, the compiled extensions.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class PackageTests(PackageTests.PackageFixture package) : IClassFixture<PackageTests.PackageFixture>
{
    [Fact]
    public void Host_json_is_at_the_package_root_and_equal_to_the_repos()
    {
        var packaged = Path.Combine(package.PackageDir, "host.json");
        Assert.True(File.Exists(packaged), $"{packaged} is missing.\n{package.Output}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(LocalStack.RepoRoot, "host.json")), File.ReadAllBytes(packaged));
    }

    [Fact]
    public void Worker_config_starts_the_app_assembly_with_dotnet()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.PackageDir, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("dotnet", description.GetProperty("defaultExecutablePath").GetString());
        var worker = description.GetProperty("defaultWorkerPath").GetString()!;
        Assert.Equal("HomeService.Functions.dll", worker);
        Assert.True(File.Exists(Path.Combine(package.PackageDir, worker)), $"{worker} is not in the package.");
        // Framework-dependent: Flex Consumption's dotnet-isolated 10.0 runtime provides .NET.
        using var runtime = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.PackageDir, "HomeService.Functions.runtimeconfig.json")));
        Assert.Equal("net10.0", runtime.RootElement.GetProperty("runtimeOptions").GetProperty("tfm").GetString());
    }

    [Fact]
    public void Functions_metadata_lists_exactly_the_apps_functions()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.PackageDir, "functions.metadata")));
        var packaged = metadata.RootElement.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).GetProperty("type").GetString()!))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var app = FunctionCatalog.All
            .Select(f => (f.Name, Trigger: f.Trigger switch
            {
                TriggerKind.Http => "httpTrigger",
                TriggerKind.Timer => "timerTrigger",
                TriggerKind.Queue => "queueTrigger",
                TriggerKind.Orchestration => "orchestrationTrigger",
                TriggerKind.Activity => "activityTrigger",
                _ => f.Trigger.ToString(),
            }))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(app, packaged);
    }

    [Fact]
    public void The_compiled_trigger_extensions_are_in_the_package()
    {
        var extensions = Path.Combine(package.PackageDir, ".azurefunctions");
        Assert.True(Directory.Exists(extensions), $".azurefunctions/ is missing.\n{package.Output}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.PackageDir, "extensions.json")));
        var names = json.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        // The host-side half of the queue trigger (timers and HTTP are built into the host) and the loader that reads
        // functions.metadata.
        Assert.Contains("AzureStorageQueues", names);
        Assert.Contains(json.RootElement.GetProperty("extensions").EnumerateArray(),
            e => e.GetProperty("typeName").GetString()!.StartsWith("Microsoft.Azure.WebJobs.Extensions.FunctionMetadataLoader.", StringComparison.Ordinal));
        Assert.All(json.RootElement.GetProperty("extensions").EnumerateArray(), e =>
        {
            var hint = e.GetProperty("hintPath").GetString()!;
            Assert.True(File.Exists(Path.GetFullPath(Path.Combine(package.PackageDir, hint))), $"{hint} is missing from the package.");
        });
    }

    [Fact]
    public void Nothing_of_the_custom_handler_is_left()
    {
        Assert.Empty(Directory.EnumerateFiles(package.PackageDir, "function.json", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(package.PackageDir, "app")));
        Assert.DoesNotContain("customHandler", File.ReadAllText(Path.Combine(package.PackageDir, "host.json")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(package.PackageDir, "local.settings.json")), "local.settings.json must never ship.");
    }

    [Fact]
    public void Zip_holds_the_same_files_with_host_json_at_the_root()
    {
        Assert.True(File.Exists(package.ZipPath), $"{package.ZipPath} is missing.\n{package.Output}");
        using var zip = ZipFile.OpenRead(package.ZipPath);

        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(package.PackageDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.PackageDir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(files, entries.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.Contains(entries.Keys, k => k.StartsWith(".azurefunctions/", StringComparison.Ordinal));

        using (var reader = new StreamReader(entries["host.json"].Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(LocalStack.RepoRoot, "host.json")), reader.ReadToEnd());
        }

        Assert.Equal(new FileInfo(Path.Combine(package.PackageDir, "HomeService.Functions.dll")).Length, entries["HomeService.Functions.dll"].Length);
    }

    /// <summary>Runs scripts/package.sh once for the class.</summary>
    public sealed class PackageFixture
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

        public PackageFixture()
        {
            var script = Path.Combine(LocalStack.RepoRoot, "scripts", "package.sh");
            var start = new ProcessStartInfo("bash", [script])
            {
                // Any cwd must do: run from outside the repository.
                WorkingDirectory = Path.GetTempPath(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["PACKAGE_FAST"] = "1";

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start scripts/package.sh.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"scripts/package.sh did not finish within {Timeout.TotalMinutes} minutes.");
            }

            process.WaitForExit();
            Output = $"{stdout.GetAwaiter().GetResult()}\n{stderr.GetAwaiter().GetResult()}";
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"scripts/package.sh exited {process.ExitCode}:\n{Output}");
            }
        }

        public string PackageDir { get; } = Path.Combine(LocalStack.RepoRoot, "artifacts", "package");
        public string ZipPath { get; } = Path.Combine(LocalStack.RepoRoot, "artifacts", "homeservice-functions.zip");
        public string Output { get; }
    }
}
