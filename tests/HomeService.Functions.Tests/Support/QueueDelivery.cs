using Azure.Storage.Queues.Models;

namespace HomeService.Functions.Tests.Support;

/// <summary>Delivers a message to a queue function as the queue listener would (the local host's and the Functions host's).</summary>
public static class QueueDelivery
{
    /// <summary>A failed run fails the test.</summary>
    public static async Task DeliverAsync(ApiFactory host, string functionName, string body, int dequeueCount = 1)
    {
        var message = QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop-" + Guid.NewGuid().ToString("N"), BinaryData.FromString(body),
            dequeueCount, insertedOn: DateTimeOffset.UtcNow);
        var run = await host.Functions.InvokeQueueAsync(functionName, message, maxDequeueCount: 5, CancellationToken.None);
        if (!run.Succeeded)
        {
            throw new Xunit.Sdk.XunitException($"{functionName} failed on {body}: {run.Error}");
        }
    }
}
