using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeService.Functions.Hosting;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Infra;

/// <summary>
/// Runs scripts/package.sh once (from a directory outside the repo, with PACKAGE_FAST=1: no
/// ReadyToRun, same layout) and checks the package the way the Functions host reads it.
/// </summary>
/// <remarks>
/// How the host resolves host.json's customHandler.description (azure-functions-host,
/// HttpWorkerOptionsSetup/HttpWorkerDescription): a relative <c>defaultExecutablePath</c> is combined
/// with the function app root, and used only if that file exists (otherwise it is taken as a
/// command on PATH, which would fail at start-up); a relative <c>workingDirectory</c> is also
/// combined with the app root and becomes the process's current directory.
/// </remarks>
[UnsupportedOSPlatform("windows")]
public sealed class PackageTests(PackageTests.PackageFixture package) : IClassFixture<PackageTests.PackageFixture>
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    [Fact]
    public void Host_json_is_at_the_package_root_and_equal_to_the_repos()
    {
        var packaged = Path.Combine(package.PackageDir, "host.json");
        Assert.True(File.Exists(packaged), $"{packaged} is missing.\n{package.Output}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(LocalStack.RepoRoot, "host.json")), File.ReadAllBytes(packaged));
    }

    [Fact]
    public void Default_executable_path_is_an_executable_linux_x64_file_in_the_package()
    {
        var executablePath = Description().GetProperty("defaultExecutablePath").GetString()!;
        Assert.False(Path.IsPathRooted(executablePath), "defaultExecutablePath must be relative to the app root.");

        var executable = Path.Combine(package.PackageDir, executablePath);
        Assert.True(File.Exists(executable), $"{executablePath} does not exist in the package.\n{package.Output}");
        Assert.True(
            File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute),
            $"{executablePath} is not executable: {File.GetUnixFileMode(executable)}");

        // ELF, 64-bit, little-endian, x86-64: the Flex Consumption workers are linux-x64.
        var header = new byte[20];
        using (var stream = File.OpenRead(executable))
        {
            stream.ReadExactly(header);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        Assert.Equal(2, header[4]);
        Assert.Equal(1, header[5]);
        Assert.Equal(0x3E, BitConverter.ToUInt16(header, 18));
    }

    [Fact]
    public void Working_directory_exists_and_holds_the_executable()
    {
        var description = Description();
        var workingDirectory = description.GetProperty("workingDirectory").GetString()!;
        var folder = Path.Combine(package.PackageDir, workingDirectory);
        Assert.True(Directory.Exists(folder), $"workingDirectory '{workingDirectory}' does not exist in the package.");

        // The app reads nothing from its cwd today, but appsettings.json and the runtime sit next to the exe.
        var executable = Path.GetFullPath(Path.Combine(package.PackageDir, description.GetProperty("defaultExecutablePath").GetString()!));
        Assert.Equal(Path.GetFullPath(folder), Path.GetDirectoryName(executable));
    }

    [Fact]
    public void Http_route_prefix_is_empty()
    {
        using var hostJson = PackagedHostJson();
        Assert.Equal("", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void One_folder_per_registered_function_and_no_other_function_folders()
    {
        var workingDirectory = Description().GetProperty("workingDirectory").GetString()!;
        var folders = Directory.EnumerateDirectories(package.PackageDir)
            .Select(d => Path.GetFileName(d))
            .Where(name => !string.Equals(name, workingDirectory, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(FunctionRegistry.All.Select(f => f.Name).Order(StringComparer.Ordinal).ToList(), folders);
        Assert.DoesNotContain(FunctionRegistry.All, f => string.Equals(f.Name, workingDirectory, StringComparison.OrdinalIgnoreCase));
        Assert.All(
            Directory.EnumerateFiles(package.PackageDir, "function.json", SearchOption.AllDirectories),
            f => Assert.Equal(package.PackageDir, Path.GetDirectoryName(Path.GetDirectoryName(f))));
    }

    [Fact]
    public void Every_function_json_is_valid_for_its_trigger()
    {
        Assert.All(FunctionRegistry.All, function =>
        {
            var path = Path.Combine(package.PackageDir, function.Name, "function.json");
            Assert.True(File.Exists(path), $"{function.Name}/function.json is missing.");
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.True(JsonNode.DeepEquals(FunctionJsonEmitter.FunctionJson(function), json), $"{function.Name}/function.json differs from the registry: {json}");

            var bindings = json["bindings"]!.AsArray();
            var trigger = Assert.Single(bindings, b => b!["direction"]!.GetValue<string>() == "in")!;
            Assert.Equal(function.BindingName, trigger["name"]!.GetValue<string>());
            switch (function.Trigger)
            {
                case TriggerKind.Http:
                    Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Equal("api/{*path}", trigger["route"]!.GetValue<string>());
                    Assert.Equal("anonymous", trigger["authLevel"]!.GetValue<string>());
                    Assert.Contains(bindings, b => b!["type"]!.GetValue<string>() == "http" && b["direction"]!.GetValue<string>() == "out");
                    break;
                case TriggerKind.Timer:
                    Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Equal(6, trigger["schedule"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
                    break;
                case TriggerKind.Queue:
                    Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
                    Assert.False(string.IsNullOrWhiteSpace(trigger["queueName"]!.GetValue<string>()));
                    Assert.Equal("AzureWebJobsStorage", trigger["connection"]!.GetValue<string>());
                    break;
                default:
                    Assert.Fail($"Unexpected trigger {function.Trigger}");
                    break;
            }
        });

        // The only HTTP function is the /api/** proxy.
        Assert.Single(FunctionRegistry.All, f => f.Trigger == TriggerKind.Http);
    }

    [Fact]
    public void Zip_holds_the_same_files_with_host_json_at_the_root_and_an_executable_exe()
    {
        Assert.True(File.Exists(package.ZipPath), $"{package.ZipPath} is missing.\n{package.Output}");
        using var zip = ZipFile.OpenRead(package.ZipPath);

        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(package.PackageDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.PackageDir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(files, entries.Keys.Order(StringComparer.Ordinal).ToList());

        using (var reader = new StreamReader(entries["host.json"].Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(LocalStack.RepoRoot, "host.json")), reader.ReadToEnd());
        }

        Assert.All(FunctionRegistry.All, f => Assert.Contains($"{f.Name}/function.json", entries.Keys));

        var executablePath = Description().GetProperty("defaultExecutablePath").GetString()!;
        var exe = entries[executablePath];
        var mode = (UnixFileMode)((exe.ExternalAttributes >> 16) & 0xFFF);
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{executablePath} in the zip has mode {mode}: the host could not start it.");
        Assert.Equal(new FileInfo(Path.Combine(package.PackageDir, executablePath)).Length, exe.Length);
    }

    private JsonElement Description()
    {
        using var hostJson = PackagedHostJson();
        return hostJson.RootElement.GetProperty("customHandler").GetProperty("description").Clone();
    }

    private JsonDocument PackagedHostJson() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(package.PackageDir, "host.json")), JsonOptions);

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
