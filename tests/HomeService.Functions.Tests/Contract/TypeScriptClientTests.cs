using System.Diagnostics;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Contract;

/// <summary>
/// The mini-program's typed client (clients/mini-program): generated from the document a local host process serves
/// (openapi-typescript), compiled with tsc --strict, and its example run against that host — log in, book, pay
/// through the sandbox, read the order — and the .http samples of every audience run against such a host. A change
/// of the contract that breaks the client or a sample fails here.
/// </summary>
public sealed class TypeScriptClientTests() : OwnStackTest("hs-ts-client-")
{
    [Fact]
    public async Task The_client_generated_from_the_served_document_compiles_strictly_and_its_example_books_and_pays()
    {
        await using var host = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(Stack, Data));
        using var api = host.Client();
        var document = await api.GetStringAsync("/api/openapi/v1.json");
        await File.WriteAllTextAsync(Path.Combine(LocalStack.RepoRoot, "clients", "mini-program", "openapi.json"), document);

        var build = await NpmAsync(["run", "client:build"], host.BaseAddress);
        Assert.True(build.ExitCode == 0, $"client:build failed:\n{build.Output}");

        var example = await NpmAsync(["run", "client:example"], host.BaseAddress);
        Assert.True(example.ExitCode == 0, $"the example failed:\n{example.Output}");
        Assert.Matches(@"order \S+ is (?!pendingPayment)\w+", example.Output);
    }

    /// <summary>The .http samples of each audience (clients/http), run as written against a local host process.</summary>
    [Theory]
    [InlineData("customer.http")]
    [InlineData("worker.http")]
    [InlineData("merchant.http")]
    [InlineData("admin.http")]
    public async Task The_http_samples_run_against_the_local_host(string file)
    {
        await using var host = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(Stack, Data));

        var run = await NpmAsync(["exec", "--", "httpyac", "send", Path.Combine("clients", "http", file), "--all", "--bail", "-o", "short"], host.BaseAddress);

        Assert.True(run.ExitCode == 0, $"{file} failed:\n{run.Output}");
        Assert.DoesNotContain("✖", run.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> NpmAsync(string[] arguments, Uri baseAddress)
    {
        var start = new ProcessStartInfo("npm", arguments)
        {
            WorkingDirectory = LocalStack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["HOMESERVICE_URL"] = baseAddress.ToString().TrimEnd('/'),
                ["HOMESERVICE_ADMIN_PHONE"] = LocalProcessApi.AdminPhone,
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
