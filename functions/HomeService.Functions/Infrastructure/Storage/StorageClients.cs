using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Infrastructure.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>A connection string (Azurite locally). In Azure leave empty and set the service URIs (managed identity).</summary>
    public string? ConnectionString { get; set; }
    public Uri? BlobServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public string UploadsContainer { get; set; } = "uploads";

    /// <summary>
    /// Prepended to every queue name: lets several local stacks (or test hosts) share one storage account without
    /// taking each other's messages. Empty in Azure, where the host reads the registry's names as they are.
    /// </summary>
    public string QueuePrefix { get; set; } = "";
}

/// <summary>The process's Blob and Queue service clients, from a connection string or service URIs + managed identity.</summary>
public sealed class StorageClients
{
    public StorageClients(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            Blobs = new BlobServiceClient(o.ConnectionString);
            Queues = new QueueServiceClient(o.ConnectionString);
        }
        else if (o.BlobServiceUri is not null && o.QueueServiceUri is not null)
        {
            var credential = new DefaultAzureCredential();
            Blobs = new BlobServiceClient(o.BlobServiceUri, credential);
            Queues = new QueueServiceClient(o.QueueServiceUri, credential);
        }
        else
        {
            throw new InvalidOperationException("Configure Storage:ConnectionString, or Storage:BlobServiceUri and Storage:QueueServiceUri.");
        }

        UploadsContainer = o.UploadsContainer;
        QueuePrefix = o.QueuePrefix;
    }

    public string QueuePrefix { get; }

    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }
    public string UploadsContainer { get; }

    public QueueClient Queue(string name) => Queues.GetQueueClient(QueuePrefix + name);
}
