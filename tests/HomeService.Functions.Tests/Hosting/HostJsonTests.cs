using System.Globalization;
using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Tests.Support;
using HomeService.LocalHost;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// host.json is what the Functions host runs in Azure and what the local host reads for its queue rules and routes
/// (ARCHITECTURE D1/D2): an isolated-worker app's host.json, with the values the app relies on.
/// </summary>
public sealed class HostJsonTests
{
    private static readonly string RepoHostJson = Path.Combine(LocalStack.RepoRoot, "host.json");
    private static readonly JsonElement Host = Load();

    private static JsonElement Queues => Host.GetProperty("extensions").GetProperty("queues");

    [Fact]
    public void The_local_host_reads_the_queue_rules_host_json_declares()
    {
        var rules = HostJson.Load(RepoHostJson).Queues;

        Assert.Equal(Queues.GetProperty("maxDequeueCount").GetInt32(), rules.MaxDequeueCount);
        Assert.Equal(TimeSpan.Parse(Queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture), rules.VisibilityTimeout);
        Assert.Equal(TimeSpan.Parse(Queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture), rules.MaxPollingInterval);
        Assert.Equal(Queues.GetProperty("batchSize").GetInt32(), rules.BatchSize);
        Assert.Equal(5, rules.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), rules.VisibilityTimeout);
    }

    [Fact]
    public void The_host_json_next_to_the_built_app_is_the_repositorys()
    {
        // The function project links the root host.json into its build; the local host reads that copy.
        Assert.Equal(File.ReadAllText(RepoHostJson), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")));
    }

    [Fact]
    public void Queue_messages_are_plain_text_like_the_queue_client_sends_them()
    {
        // Azure.Storage.Queues does not base64-encode by default; the host must not expect base64.
        Assert.Equal("none", Queues.GetProperty("messageEncoding").GetString());
        Assert.Equal("none", HostJson.Load(RepoHostJson).Queues.MessageEncoding);
    }

    [Fact]
    public void An_isolated_worker_app_has_no_custom_handler_and_no_extension_bundle()
    {
        // A .NET worker compiles its extensions (.azurefunctions/); a bundle or customHandler would be a different app.
        Assert.False(Host.TryGetProperty("customHandler", out _));
        Assert.False(Host.TryGetProperty("extensionBundle", out _));
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
        Assert.Equal("OpenTelemetry", Host.GetProperty("telemetryMode").GetString());
    }

    [Fact]
    public void Http_route_prefix_is_empty_so_the_api_keeps_its_own_paths()
    {
        Assert.Equal("", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        var api = Assert.Single(FunctionCatalog.All, f => f.Trigger == TriggerKind.Http);
        Assert.Equal("/api/{*path}", LocalFunctionsHost.RouteOf(HostJson.Load(RepoHostJson), api));
    }

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoHostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }
}
