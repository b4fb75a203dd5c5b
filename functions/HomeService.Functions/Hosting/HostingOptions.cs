namespace HomeService.Functions.Hosting;

/// <summary>How the app uses its storage account, wherever it runs (Functions host or the local host).</summary>
public sealed class HostingOptions
{
    public const string Section = "Hosting";

    /// <summary>Create the trigger queues (and poison queues) and the uploads container at start-up: local stacks only, Bicep owns them in Azure.</summary>
    public bool CreateQueues { get; set; }

    /// <summary>
    /// Longest visibility delay a sent message gets (default: the queue's own limit, 7 days). A due time further
    /// away is reached by chaining: the handler finds the message early and sends it again for the rest.
    /// </summary>
    public TimeSpan? MaxMessageDelay { get; set; }
}
