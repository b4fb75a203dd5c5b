using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Hosting;

/// <summary>Creates the trigger queues, their poison queues and the uploads container at start-up when configured to (local stacks).</summary>
public sealed class QueueProvisioner(StorageClients storage, IOptions<HostingOptions> options)
{
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        if (!options.Value.CreateQueues)
        {
            return;
        }

        foreach (var name in FunctionCatalog.QueueNames)
        {
            await storage.Queue(name).CreateIfNotExistsAsync(cancellationToken: ct);
        }

        await storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).CreateIfNotExistsAsync(cancellationToken: ct);
    }
}
