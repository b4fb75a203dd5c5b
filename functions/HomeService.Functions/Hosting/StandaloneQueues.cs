using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Hosting;

/// <summary>
/// Standalone mode: polls the Storage queue of each queue function and calls the same handler the host
/// would. A failed message becomes visible again after the visibility timeout; after maxDequeueCount
/// failures it moves to "&lt;queue&gt;-poison", as the host does.
/// </summary>
public sealed class StandaloneQueues(
    FunctionInvoker invoker, StorageClients storage, TimeProvider time, IOptions<HostingOptions> options, ILogger<StandaloneQueues> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.IsStandalone || !o.PollQueues)
        {
            return;
        }

        var functions = FunctionRegistry.All.Where(f => f.Trigger == TriggerKind.Queue).ToArray();
        await Task.WhenAll(functions.Select(f => PollAsync(f, stoppingToken)));
    }

    private async Task PollAsync(FunctionDefinition function, CancellationToken ct)
    {
        var o = options.Value;
        var queue = storage.Queue(function.QueueName!);
        var poison = storage.Queue(function.QueueName + FunctionRegistry.PoisonSuffix);
        var idle = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                QueueMessage[] messages = (await queue.ReceiveMessagesAsync(o.BatchSize, o.VisibilityTimeout, ct)).Value;
                if (messages.Length == 0)
                {
                    // Back off while idle, up to maxPollingInterval, like the host. Polling paces itself on real
                    // time, as the queue's visibility timeouts do, not on the (possibly simulated) business clock.
                    await Task.Delay(idle, ct);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, o.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(100);
                await Task.WhenAll(messages.Select(m => ProcessAsync(function, queue, poison, m, ct)));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Polling queue {Queue} failed; retrying", function.QueueName);
                try
                {
                    await Task.Delay(o.MaxPollingInterval, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(FunctionDefinition function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken ct)
    {
        var text = message.Body.ToString();
        var metadata = JsonSerializer.SerializeToElement(new
        {
            DequeueCount = message.DequeueCount,
            Id = message.MessageId,
            message.PopReceipt,
            InsertionTime = message.InsertedOn,
            NextVisibleTime = message.NextVisibleOn,
            ExpirationTime = message.ExpiresOn,
            sys = new { MethodName = function.Name, UtcNow = time.GetUtcNow() },
        });
        var outcome = await invoker.InvokeAsync(function, JsonSerializer.SerializeToElement(text), metadata, Guid.NewGuid().ToString(), ct);
        if (outcome.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            return;
        }

        if (message.DequeueCount >= options.Value.MaxDequeueCount)
        {
            await poison.SendMessageAsync(text, ct);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            logger.LogError("Message {MessageId} of {Queue} failed {DequeueCount} times; moved to {PoisonQueue}",
                message.MessageId, function.QueueName, message.DequeueCount, poison.Name);
        }

        // Otherwise leave it: it becomes visible again when its visibility timeout ends, and is retried.
    }
}

/// <summary>Creates the registry's queues at start-up when configured to (local stacks).</summary>
public sealed class QueueProvisioner(StorageClients storage, IOptions<HostingOptions> options)
{
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        if (!options.Value.CreateQueues)
        {
            return;
        }

        foreach (var name in FunctionRegistry.QueueNames)
        {
            await storage.Queue(name).CreateIfNotExistsAsync(cancellationToken: ct);
        }

        await storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).CreateIfNotExistsAsync(cancellationToken: ct);
    }
}
