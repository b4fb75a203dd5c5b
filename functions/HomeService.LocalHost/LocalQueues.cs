using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.LocalHost;

/// <summary>
/// Polls the queue of each queue function with host.json's rules, as the Functions host's queue listener does: up to
/// batchSize messages at a time, invisible for visibilityTimeout while they run; a failed message becomes visible
/// again when that timeout ends, and after maxDequeueCount failures it moves to "&lt;queue&gt;-poison".
/// </summary>
public sealed class LocalQueues(
    LocalFunctionInvoker invoker, StorageClients storage, HostJson hostJson, IOptions<LocalHostOptions> options, ILogger<LocalQueues> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstIdleDelay = TimeSpan.FromMilliseconds(100);

    public QueueRules Rules { get; } = options.Value.Apply(hostJson.Queues);

    /// <summary>The queue functions this host polls for.</summary>
    public IReadOnlyList<FunctionDescriptor> Functions { get; } = [.. FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Queue)];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.PollQueues ? Task.WhenAll(Functions.Select(f => PollAsync(f, stoppingToken))) : Task.CompletedTask;

    private async Task PollAsync(FunctionDescriptor function, CancellationToken ct)
    {
        var queue = storage.Queue(function.QueueName!);
        var poison = storage.Queue(function.QueueName + FunctionCatalog.PoisonSuffix);
        var idle = FirstIdleDelay;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                QueueMessage[] messages = (await queue.ReceiveMessagesAsync(Rules.BatchSize, Rules.VisibilityTimeout, ct)).Value;
                if (messages.Length == 0)
                {
                    // Back off while idle, up to maxPollingInterval, like the host. Polling paces itself on real time, as the
                    // queue's visibility timeouts do, not on the (possibly simulated) business clock.
                    await Task.Delay(idle, ct);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, Rules.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = FirstIdleDelay;
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
                    await Task.Delay(Rules.MaxPollingInterval, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(FunctionDescriptor function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken ct)
    {
        var decoded = Decode(message);
        var run = await invoker.InvokeQueueAsync(function.Name, decoded, Rules.MaxDequeueCount, ct);
        if (run.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            return;
        }

        if (message.DequeueCount >= Rules.MaxDequeueCount)
        {
            await poison.SendMessageAsync(message.Body, cancellationToken: ct);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            logger.LogError("Message {MessageId} of {Queue} failed {DequeueCount} times; moved to {PoisonQueue}",
                message.MessageId, function.QueueName, message.DequeueCount, poison.Name);
        }

        // Otherwise leave it: it becomes visible again when its visibility timeout ends, and is retried.
    }

    /// <summary>host.json's messageEncoding: "none" passes the text as sent, "base64" (the host's default) decodes it.</summary>
    private QueueMessage Decode(QueueMessage message) =>
        Rules.MessageEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase)
            ? QueuesModelFactory.QueueMessage(message.MessageId, message.PopReceipt, BinaryData.FromBytes(Convert.FromBase64String(message.Body.ToString())),
                message.DequeueCount, message.NextVisibleOn, message.InsertedOn, message.ExpiresOn)
            : message;
}
