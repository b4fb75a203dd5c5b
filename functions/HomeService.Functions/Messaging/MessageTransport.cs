using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Messaging;

/// <summary>
/// The one port events and timers leave through: Storage queues (same account as the host, Azurite locally).
/// </summary>
public interface IMessageTransport
{
    /// <summary>Sends <paramref name="body"/> to <paramref name="queue"/>, invisible until <paramref name="visibleAt"/> when given.</summary>
    Task SendAsync(string queue, string body, DateTimeOffset? visibleAt, CancellationToken ct);
}

public sealed class StorageQueueTransport(StorageClients storage, TimeProvider time, IOptions<HostingOptions> options) : IMessageTransport
{
    /// <summary>Storage queues accept a visibility delay of at most 7 days; longer timers chain (see the timer handlers).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    private readonly TimeSpan _maxDelay = options.Value.MaxMessageDelay is { } configured && configured < MaxDelay ? configured : MaxDelay;

    public async Task SendAsync(string queue, string body, DateTimeOffset? visibleAt, CancellationToken ct)
    {
        TimeSpan? delay = null;
        if (visibleAt is { } at)
        {
            var wait = at - time.GetUtcNow();
            delay = wait <= TimeSpan.Zero ? null : wait > _maxDelay ? _maxDelay : wait;
        }

        // A message must outlive its delay; -1 = never expires.
        await storage.Queue(queue).SendMessageAsync(body, delay, TimeSpan.FromSeconds(-1), ct);
    }
}
