using System.Net;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Orders;

/// <summary>
/// Runs one command against an order (ARCHITECTURE D3): point read → Decide → Evolve → If-Match replace of state and
/// history together; a lost race re-reads and re-decides; after the commit the order's orchestration is told the order
/// changed. An already-applied command decides no events and changes nothing (but tells the orchestration again: a
/// repeat may come from a run that died before its signal).
/// </summary>
public sealed class OrderLifecycle(CosmosDb db, IOrderOrchestrations orchestrations, TimeProvider time, ILogger<OrderLifecycle> logger)
{
    /// <param name="command">Builds the command from the current document and the time; null = nothing to do.</param>
    /// <param name="amend">Extra document changes written with the events (e.g. a new reservation).</param>
    public async Task<OrderDocument> ExecuteAsync(
        string orderId, Func<OrderDocument, DateTimeOffset, OrderCommand?> command, CancellationToken ct,
        Func<OrderDocument, OrderDocument>? amend = null)
    {
        while (true)
        {
            var order = await FindAsync(orderId, ct) ?? throw new NotFoundException("res.order", orderId);
            var now = time.GetUtcNow();
            var cmd = command(order, now);
            if (cmd is null)
            {
                return order;
            }

            var decision = OrderDecider.Decide(cmd, order.State);
            if (decision.Error is { } error)
            {
                throw new OrderTransitionException(error);
            }

            if (decision.Events.Count == 0)
            {
                // Already applied (a repeat or a stale timer).
                await orchestrations.ChangedAsync(orderId, LifecyclePlanner.IsFinished(order.State), ct);
                return order;
            }

            var next = order.Apply(decision.Events, now);
            if (amend is not null)
            {
                next = amend(next);
            }

            try
            {
                var written = (await db.Orders.ReplaceItemAsync(next with { ETag = null }, orderId, new PartitionKey(orderId),
                    new ItemRequestOptions { IfMatchEtag = order.ETag }, ct)).Resource;
                logger.LogInformation("Order {OrderId}: {Command} → {Status}", orderId, cmd.GetType().Name, written.Status);
                await orchestrations.ChangedAsync(orderId, LifecyclePlanner.IsFinished(order.State), ct);
                return written;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Someone else changed the order between our read and write: decide again on the fresh state.
            }
        }
    }

    /// <summary>
    /// A change of the document that decides no event (e.g. an admin's visit exemption): read, change, If-Match replace,
    /// again on a lost race. <paramref name="change"/> answers null when there is nothing to write.
    /// </summary>
    public async Task<OrderDocument> AmendAsync(string orderId, Func<OrderDocument, DateTimeOffset, OrderDocument?> change, CancellationToken ct)
    {
        while (true)
        {
            var order = await FindAsync(orderId, ct) ?? throw new NotFoundException("res.order", orderId);
            var now = time.GetUtcNow();
            if (change(order, now) is not { } next)
            {
                return order;
            }

            try
            {
                return (await db.Orders.ReplaceItemAsync(next with { ETag = null, UpdatedAt = now }, orderId, new PartitionKey(orderId),
                    new ItemRequestOptions { IfMatchEtag = order.ETag }, ct)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed between our read and write: look again.
            }
        }
    }

    public async Task<OrderDocument?> FindAsync(string orderId, CancellationToken ct) =>
        (await db.Orders.ReadOrNullAsync<OrderDocument>(orderId, orderId, ct))?.Resource;
}
