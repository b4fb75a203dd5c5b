using System.Globalization;
using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// host.json is what the Functions host runs in Azure; standalone mode (<see cref="HostingOptions"/>)
/// is what runs locally and in tests. They must behave the same, and the custom-handler wiring must
/// match ARCHITECTURE.md D1.
/// </summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement Host = Load();

    private static JsonElement Queues => Host.GetProperty("extensions").GetProperty("queues");

    [Fact]
    public void Queue_settings_equal_the_standalone_defaults()
    {
        var defaults = new HostingOptions();

        Assert.Equal(defaults.MaxDequeueCount, Queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(defaults.VisibilityTimeout, TimeSpan.Parse(Queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(defaults.MaxPollingInterval, TimeSpan.Parse(Queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(defaults.BatchSize, Queues.GetProperty("batchSize").GetInt32());
    }

    [Fact]
    public void Queue_messages_are_plain_text_like_the_queue_client_sends_them()
    {
        // Azure.Storage.Queues does not base64-encode by default; the host must not expect base64.
        Assert.Equal("none", Queues.GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Extension_bundle_is_v4()
    {
        var bundle = Host.GetProperty("extensionBundle");
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", bundle.GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", bundle.GetProperty("version").GetString());
    }

    [Fact]
    public void Custom_handler_proxies_http_to_the_published_executable()
    {
        var customHandler = Host.GetProperty("customHandler");
        Assert.True(customHandler.GetProperty("enableProxyingHttpRequest").GetBoolean());

        var description = customHandler.GetProperty("description");
        Assert.Equal(
            ["--urls", "http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%"],
            description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!).ToArray());

        // scripts/package.sh publishes the app into {workingDirectory}/{AssemblyName}.
        var workingDirectory = description.GetProperty("workingDirectory").GetString();
        Assert.Equal(
            $"{workingDirectory}/{typeof(HostingOptions).Assembly.GetName().Name}",
            description.GetProperty("defaultExecutablePath").GetString());
    }

    [Fact]
    public void Http_route_prefix_is_empty_so_the_app_owns_the_api_prefix()
    {
        Assert.Equal("", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("api/{*path}", Assert.Single(FunctionRegistry.All, f => f.Trigger == TriggerKind.Http).Route);
    }

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(LocalStack.RepoRoot, "host.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }
}
