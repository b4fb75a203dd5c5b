using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Hosting;

/// <summary>
/// Creates the trigger queues, their poison queues and the uploads container at start-up when configured to (local
/// stacks). One listing of the app's queues first, so a start whose queues exist makes two requests, not one per queue.
/// </summary>
public sealed class QueueProvisioner(StorageClients storage, IOptions<HostingOptions> options)
{
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        if (!options.Value.CreateQueues)
        {
            return;
        }

        var existing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var queue in storage.Queues.GetQueuesAsync(prefix: string.IsNullOrEmpty(storage.QueuePrefix) ? null : storage.QueuePrefix, cancellationToken: ct))
        {
            existing.Add(queue.Name);
        }

        foreach (var queue in FunctionCatalog.QueueNames.Select(storage.Queue).Where(q => !existing.Contains(q.Name)))
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        }

        await storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).CreateIfNotExistsAsync(cancellationToken: ct);
    }
}
