using System.Globalization;
using System.Text.Json;

namespace HomeService.LocalHost;

/// <summary>host.json's extensions.queues, as the Functions host applies them to queue triggers.</summary>
public sealed record QueueRules(
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int BatchSize,
    int NewBatchThreshold,
    int MaxDequeueCount,
    string MessageEncoding);

/// <summary>host.json's extensions.durableTask: the task hub and its Azure Storage provider settings.</summary>
public sealed record DurableRules(string HubName, int PartitionCount, TimeSpan MaxQueuePollingInterval, int MaxConcurrentActivities, int MaxConcurrentOrchestrations);

/// <summary>What the local host reads from the app's host.json (the one the Functions host reads in Azure).</summary>
public sealed record HostJson(string RoutePrefix, QueueRules Queues, DurableRules Durable)
{
    /// <summary>The host's defaults for what host.json leaves out.</summary>
    private static readonly QueueRules Defaults = new(TimeSpan.FromMinutes(1), TimeSpan.Zero, 16, 8, 5, "base64");

    /// <summary>host.json next to the app's assemblies (the function project links the repository root's file into its build).</summary>
    public static HostJson Load() => Load(Path.Combine(AppContext.BaseDirectory, "host.json"));

    public static HostJson Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var extensions = document.RootElement.TryGetProperty("extensions", out var e) ? e : default;
        var routePrefix = Find(extensions, "http", "routePrefix")?.GetString() ?? "api";
        var queues = extensions.ValueKind == JsonValueKind.Object && extensions.TryGetProperty("queues", out var q) ? q : default;
        var rules = new QueueRules(
            Span(queues, "maxPollingInterval") ?? Defaults.MaxPollingInterval,
            Span(queues, "visibilityTimeout") ?? Defaults.VisibilityTimeout,
            Int(queues, "batchSize") ?? Defaults.BatchSize,
            Int(queues, "newBatchThreshold") ?? Defaults.NewBatchThreshold,
            Int(queues, "maxDequeueCount") ?? Defaults.MaxDequeueCount,
            Find(queues, "messageEncoding")?.GetString() ?? Defaults.MessageEncoding);
        var durable = extensions.ValueKind == JsonValueKind.Object && extensions.TryGetProperty("durableTask", out var d) ? d : default;
        var provider = Find(durable, "storageProvider") ?? default;
        var durableRules = new DurableRules(
            Find(durable, "hubName")?.GetString() ?? "TestHubName",
            Find(provider, "partitionCount")?.GetInt32() ?? 4,
            Span(provider, "maxQueuePollingInterval") ?? TimeSpan.FromSeconds(30),
            Find(durable, "maxConcurrentActivityFunctions")?.GetInt32() ?? 10,
            Find(durable, "maxConcurrentOrchestratorFunctions")?.GetInt32() ?? 10);
        return new HostJson(routePrefix, rules, durableRules);
    }

    private static JsonElement? Find(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static TimeSpan? Span(JsonElement section, string name) =>
        Find(section, name)?.GetString() is { } text ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : null;

    private static int? Int(JsonElement section, string name) => Find(section, name)?.GetInt32();
}
