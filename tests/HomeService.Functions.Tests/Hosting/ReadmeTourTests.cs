using System.Diagnostics;
using System.Text.RegularExpressions;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// Issue 14 #16: the README's first tour runs as written against a local host on another port than 5080 (the tour
/// hard-coded it). Every line without a placeholder (<c>&lt;…&gt;</c>) runs in bash with <c>PORT</c> set, as a reader would.
/// </summary>
public sealed class ReadmeTourTests
{
    [Fact]
    public async Task The_first_tour_runs_against_the_port_the_local_host_was_started_on()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(LocalStack.RepoRoot, "README.md"));
        var tour = Regex.Match(readme, @"## A first tour[^\n]*\n+```sh\n(?<body>.*?)```", RegexOptions.Singleline).Groups["body"].Value;
        Assert.Contains("curl", tour);
        var lines = string.Join('\n', Regex.Replace(tour, @"\\\n\s*", " ").Split('\n').Where(l => !l.Contains('<') && !l.Contains("Idempotency-Key")));

        var stack = LocalStack.Instance;
        var data = Directory.CreateTempSubdirectory("hs-tour-").FullName;
        var database = $"hs-tour-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Cosmos:Endpoint"] = stack.CosmosEndpoint,
            ["Cosmos:Key"] = stack.CosmosKey,
            ["Cosmos:Database"] = database,
            ["Cosmos:CreateIfNotExists"] = "true",
            ["Cosmos:LocalServer"] = "true",
            ["Storage:ConnectionString"] = stack.StorageConnectionString,
            ["Storage:QueuePrefix"] = $"t{database[^8..]}-",
            ["LocalHost:Durable:TaskHub"] = $"t{database[^8..]}",
            ["Hosting:CreateQueues"] = "true",
            ["Seed:Demo"] = "true",
            ["Auth:Sms:Provider"] = "Sandbox",
            ["Auth:WeChat:Provider"] = "Sandbox",
            ["Auth:SigningKeyFile"] = Path.Combine(data, "jwt-signing-key"),
            ["Payments:Sandbox:KeyFile"] = Path.Combine(data, "wechatpay-sandbox-keys.json"),
        };
        try
        {
            await using var host = await LocalHostProcess.StartAsync(settings);
            Assert.NotEqual(5080, host.BaseAddress.Port);
            var run = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", lines + "\necho \"token-length=${#token}\""])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            run.Environment["PORT"] = host.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var bash = Process.Start(run)!;
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            await bash.WaitForExitAsync();
            var output = await stdout;
            Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}\n{output}\n{await stderr}");
            Assert.Matches(@"token-length=[1-9]\d+", output);
            Assert.Contains("\"shanghai\"", output);                // the cities
            Assert.Contains("南京西路 1 号", output);                 // the address added and listed
            Assert.Contains("\"resendAfterSeconds\"", output);      // the SMS sent
            Assert.Matches("\"code\":\"\\d{6}\"", output);          // and its code read back from this machine
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
