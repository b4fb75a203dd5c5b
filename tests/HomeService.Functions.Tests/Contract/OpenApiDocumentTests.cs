using System.Diagnostics;
using System.Text.Json;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Contract;

/// <summary>The served OpenAPI document: Redocly's recommended rules, and what a client generator needs of every operation.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiFactory factory)
{
    [Fact]
    public async Task Redocly_lint_with_the_recommended_rules_reports_no_errors()
    {
        var document = await factory.CreateClient().GetStringAsync("/api/openapi/v1.json");
        var file = Path.Combine(Path.GetTempPath(), $"homeservice-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            var redocly = Path.Combine(LocalStack.RepoRoot, "node_modules", ".bin", "redocly");
            Assert.True(File.Exists(redocly), "npm ci installs @redocly/cli (package.json devDependencies)");
            var start = new ProcessStartInfo(redocly, ["lint", file, "--extends=recommended", "--format=stylish"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = LocalStack.RepoRoot,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"redocly lint failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_operation_has_an_id_its_security_and_its_problem_answers()
    {
        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/api/openapi/v1.json"));
        var root = document.RootElement;
        Assert.Equal("http", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var what = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var o = operation.Value;
                if (!o.TryGetProperty("operationId", out var id) || !ids.Add(id.GetString()!))
                {
                    problems.Add($"{what}: no unique operationId");
                }

                var responses = o.GetProperty("responses");
                var secured = o.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
                if (secured && !(responses.TryGetProperty("401", out _) && responses.TryGetProperty("403", out _)))
                {
                    problems.Add($"{what}: signed in but no 401/403");
                }

                var headers = o.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()).ToHashSet()
                    : [];
                if (!headers.Contains("Accept-Language"))
                {
                    problems.Add($"{what}: no Accept-Language");
                }

                if (responses.TryGetProperty("428", out _) && !headers.Contains("If-Match"))
                {
                    problems.Add($"{what}: 428 without an If-Match parameter");
                }

                // WeChat Pay's callback answers in WeChat Pay's own {code, message} format.
                foreach (var response in responses.EnumerateObject().Where(r => r.Name.StartsWith('4') && !path.Name.EndsWith("/wechatpay/notify", StringComparison.Ordinal)))
                {
                    if (!response.Value.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        problems.Add($"{what}: {response.Name} is not a ProblemDetails");
                    }
                }
            }
        }

        Assert.True(ids.Count > 150, $"only {ids.Count} operations");
        Assert.DoesNotContain("\"string\",\"integer\"", root.GetRawText().Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("/api/customer/addresses/{id}", "put", "If-Match", true)]
    [InlineData("/api/customer/orders", "post", "Idempotency-Key", true)]
    [InlineData("/api/worker/schedule/plan", "put", "If-Match", false)]
    public async Task Headers_the_handlers_read_are_declared(string path, string method, string header, bool required)
    {
        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/api/openapi/v1.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        var parameter = operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == header);
        Assert.Equal("header", parameter.GetProperty("in").GetString());
        Assert.Equal(required, parameter.TryGetProperty("required", out var r) && r.GetBoolean());
    }
}
