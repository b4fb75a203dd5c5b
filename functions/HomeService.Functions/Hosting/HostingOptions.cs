namespace HomeService.Functions.Hosting;

/// <summary>How the app uses its storage account, wherever it runs (Functions host or the local host).</summary>
public sealed class HostingOptions
{
    public const string Section = "Hosting";

    /// <summary>Create the trigger queues (and poison queues) and the uploads container at start-up: local stacks only, Bicep owns them in Azure.</summary>
    public bool CreateQueues { get; set; }
}
