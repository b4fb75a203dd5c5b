using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Messaging;

namespace HomeService.Functions.Tests.Support;

public sealed record SentMessage(string Queue, string Body, DateTimeOffset? VisibleAt);

/// <summary>
/// The real transport, recorded: tests see every message the app sent, can make sends fail (a relay that
/// dies), and deliver messages themselves — twice, late or out of order — through the host's envelope.
/// </summary>
public sealed class RecordingTransport(StorageQueueTransport inner) : IMessageTransport
{
    private readonly ConcurrentQueue<SentMessage> _sent = new();

    public bool Fail { get; set; }

    public IReadOnlyList<SentMessage> Sent => _sent.ToArray();

    public async Task SendAsync(string queue, string body, DateTimeOffset? visibleAt, CancellationToken ct)
    {
        if (Fail)
        {
            throw new IOException("Simulated transport failure");
        }

        await inner.SendAsync(queue, body, visibleAt, ct);
        _sent.Enqueue(new SentMessage(queue, body, visibleAt));
    }

    public IReadOnlyList<SentMessage> For(string orderId) =>
        Sent.Where(m => m.Body.Contains($"\"orderId\":\"{orderId}\"", StringComparison.Ordinal)).ToArray();

    /// <summary>POSTs a queue message to its function exactly as the Functions host would.</summary>
    public static async Task DeliverAsync(HttpClient host, string functionName, string body, int dequeueCount = 1)
    {
        var envelope = JsonSerializer.Serialize(new { Data = new { message = body }, Metadata = new { DequeueCount = dequeueCount } });
        var response = await host.PostAsync($"/{functionName}", new StringContent(envelope, Encoding.UTF8, "application/json"));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }
}
