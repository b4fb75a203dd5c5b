using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using HomeService.Functions.Messaging;
using HomeService.Functions.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Support;

public sealed record SentMessage(long Seq, string Queue, string Body, DateTimeOffset? VisibleAt)
{
    public string? OrderId { get; } =
        JsonDocument.Parse(Body).RootElement.TryGetProperty("orderId", out var id) ? id.GetString() : null;
}

/// <summary>
/// The real transport, recorded: tests see every message the app sent, can make sends fail (a relay that
/// dies), and deliver messages themselves — twice, late or out of order — to the queue functions.
/// </summary>
public sealed class RecordingTransport(StorageQueueTransport inner) : IMessageTransport
{
    private readonly ConcurrentQueue<SentMessage> _sent = new();
    private readonly ConcurrentQueue<SentMessage> _undelivered = new();
    private long _seq;

    public bool Fail { get; set; }

    public IReadOnlyList<SentMessage> Sent => [.. _sent];

    public async Task SendAsync(string queue, string body, DateTimeOffset? visibleAt, CancellationToken ct)
    {
        if (Fail)
        {
            throw new IOException("Simulated transport failure");
        }

        await inner.SendAsync(queue, body, visibleAt, ct);
        var message = new SentMessage(Interlocked.Increment(ref _seq), queue, body, visibleAt);
        _sent.Enqueue(message);
        _undelivered.Enqueue(message);
    }

    public IReadOnlyList<SentMessage> For(string orderId) => Sent.Where(m => m.OrderId == orderId).ToArray();

    /// <summary>Takes the not yet taken messages visible at <paramref name="now"/>; later ones stay for a later call.</summary>
    public IReadOnlyList<SentMessage> TakeDue(DateTimeOffset now)
    {
        var due = new List<SentMessage>();
        var later = new List<SentMessage>();
        while (_undelivered.TryDequeue(out var m))
        {
            (m.VisibleAt is { } at && at > now ? later : due).Add(m);
        }

        foreach (var m in later)
        {
            _undelivered.Enqueue(m);
        }

        return due;
    }

    /// <summary>Delivers a queue message to its function as the queue listener would; a failed run fails the test.</summary>
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

    /// <summary>Delivers an order message to the function that reads its queue.</summary>
    public static Task DeliverAsync(ApiFactory host, SentMessage message, int dequeueCount = 1) =>
        DeliverAsync(host, message.Queue switch
        {
            OrderQueues.Events => OrderEventFunction.Name,
            OrderQueues.Timers => OrderTimerFunction.Name,
            _ => throw new InvalidOperationException($"No test delivery for queue {message.Queue}"),
        }, message.Body, dequeueCount);
}

public static class RecordingTransportRegistration
{
    /// <summary>Replaces the app's transport with the recording one (which still sends to the real queues).</summary>
    public static IServiceCollection AddRecordingTransport(this IServiceCollection services)
    {
        services.AddSingleton<StorageQueueTransport>();
        services.AddSingleton<RecordingTransport>();
        return services.AddSingleton<IMessageTransport>(sp => sp.GetRequiredService<RecordingTransport>());
    }
}
