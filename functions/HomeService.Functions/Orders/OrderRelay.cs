using System.Net;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Orders;

/// <summary>
/// Relays an order's outbox at least once: sends every message, then removes the sent ones with an
/// If-Match replace. A relay that dies in between leaves them in the outbox, so the sweep sends them
/// again (consumers are idempotent by message id); nothing is ever sent for a write that did not commit,
/// because messages only exist inside committed documents.
/// </summary>
public sealed class OrderRelay(CosmosDb db, IMessageTransport transport, TimeProvider time, ILogger<OrderRelay> logger)
{
    public async Task RelayAsync(OrderDocument order, CancellationToken ct)
    {
        if (order.Outbox.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var message in order.Outbox)
            {
                await transport.SendAsync(message.Queue, message.Body, message.VisibleAt, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is committed and its messages are safe in the outbox: the sweep sends them later.
            logger.LogWarning(e, "Relaying the outbox of order {OrderId} failed; the sweep will retry", order.Id);
            return;
        }

        var sent = order.Outbox.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var current = order;
        while (true)
        {
            var remaining = current.Outbox.Where(m => !sent.Contains(m.Id)).ToArray();
            if (remaining.Length == current.Outbox.Count)
            {
                return;
            }

            try
            {
                await db.Orders.ReplaceItemAsync(current with { Outbox = remaining, ETag = null }, current.Id, new PartitionKey(current.Id),
                    new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
                logger.LogInformation("Relayed {Count} outbox messages of order {OrderId}", sent.Count, order.Id);
                return;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // The order changed meanwhile (maybe with new messages): take ours out of the fresh copy.
                current = (await db.Orders.ReadOrNullAsync<OrderDocument>(order.Id, order.Id, ct))?.Resource;
                if (current is null)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The sweep: orders whose outbox was not emptied shortly after their write (a relay died).</summary>
    public async Task<int> SweepAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - olderThan;
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'order' AND c.outboxPending = true AND c.updatedAt < @cutoff")
            .WithParameter("@cutoff", cutoff);
        var stuck = await db.Orders.QueryAllAsync<OrderDocument>(query, partitionKey: null, ct);
        foreach (var order in stuck)
        {
            await RelayAsync(order, ct);
        }

        return stuck.Count;
    }
}
