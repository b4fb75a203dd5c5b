namespace HomeService.Functions.Hosting;

/// <summary>Standalone-mode settings; the queue values mirror host.json's extensions.queues (a test keeps them equal).</summary>
public sealed class HostingOptions
{
    public const string Section = "Hosting";

    /// <summary>Fire timers and poll queues in-process. Defaults to true when FUNCTIONS_CUSTOMHANDLER_PORT is absent.</summary>
    public bool? Standalone { get; set; }

    public bool RunTimers { get; set; } = true;
    public bool PollQueues { get; set; } = true;

    public int MaxDequeueCount { get; set; } = 5;
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Longest visibility delay a sent message gets (default: the queue's own limit, 7 days). A due time further
    /// away is reached by chaining: the handler finds the message early and sends it again for the rest.
    /// </summary>
    public TimeSpan? MaxMessageDelay { get; set; }

    /// <summary>Create queues (and poison queues) at start-up: local stacks only, Bicep owns them in Azure.</summary>
    public bool CreateQueues { get; set; }

    public static bool IsUnderFunctionsHost =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT"));

    public bool IsStandalone => Standalone ?? !IsUnderFunctionsHost;
}
