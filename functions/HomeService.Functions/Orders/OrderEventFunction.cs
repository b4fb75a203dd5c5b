using System.Text.Json;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Dispatch;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Notifications;
using HomeService.Functions.Workers;

namespace HomeService.Functions.Orders;

/// <summary>
/// The order-events queue function: posts the message-center entries an event causes and runs the
/// reactions that follow it (<see cref="OrderReactions"/>). Every step is idempotent by the event's id,
/// so a redelivered event changes nothing.
/// </summary>
public sealed class OrderEventFunction(MessageCenter center, OrderReactions reactions)
{
    public const string Name = "HandleOrderEvent";

    /// <summary>Admin notifications go to one shared inbox, read at /api/admin/alerts.</summary>
    public const string AdminInbox = "admins";

    [Function(Name)]
    public async Task<string> RunAsync([QueueTrigger(OrderQueues.Events)] QueueMessage queued, CancellationToken ct)
    {
        var message = JsonSerializer.Deserialize<OrderEventMessage>(queued.Body.ToString(), CosmosDb.JsonOptions)
                      ?? throw new InvalidDataException("Empty order event message.");
        foreach (var notification in message.Notifications)
        {
            var recipient = notification.Audience == Audience.Admin ? AdminInbox : notification.UserId!;
            var category = message.Event is ReminderDue ? "reminder" : "order";
            await center.PostAsync(recipient, $"{message.Id}:{recipient}", category, notification.MessageKey, message.OrderId, ct);
        }

        await reactions.ReactAsync(message, ct);
        return $"Order event {message.Event.GetType().Name} of {message.OrderId} handled";
    }
}

/// <summary>
/// What follows an order event outside the order document itself. Each reaction is safe to run twice:
/// releasing a released reservation is a no-op, and commands sent back to the order are decided again
/// (an already-applied one decides nothing).
/// </summary>
public sealed class OrderReactions(
    OrderLifecycle lifecycle, Reservations reservations, Dispatcher dispatcher, Handover handover, OrderMoneyReactions money,
    WorkerStore workers, ILogger<OrderReactions> logger)
{
    public async Task ReactAsync(OrderEventMessage message, CancellationToken ct)
    {
        switch (message.Event)
        {
            case OrderClosedForNonPayment or OrderCancelled:
                var order = await lifecycle.FindAsync(message.OrderId, ct);
                if (order is not null)
                {
                    // Payment timeout or cancellation: the worker's time is free again at once.
                    await reservations.ReleaseAsync(order.Reservation.WorkerId, order.Id, ct);
                    await handover.ReleaseFormerHoldersAsync(order, ct);
                    logger.LogInformation("Reservation of order {OrderId} released after {Event}", order.Id, message.Event.GetType().Name);
                }

                if (message.Event is OrderCancelled { FeeFen: > 0, RefundFen: 0 } keptAll)
                {
                    // Nothing to refund: the fee is settled now rather than after a refund.
                    await money.SettleCancellationFeeAsync(message.OrderId, keptAll.At, ct);
                }

                break;
            case RefundRequested requested:
                await money.RefundAsync(message, requested, ct);
                break;
            case RefundCompleted completed:
                await money.SettleCancellationFeeAsync(message.OrderId, completed.At, ct);
                break;
            case SettlementBecameDue due:
                await money.SettleAsync(message, due, ct);
                break;
            case PaymentConfirmed:
                await dispatcher.StartAsync(message.OrderId, ct);
                break;
            case OfferAccepted e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Accepted, e.At), ct);
                break;
            case OfferRejected e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Rejected, e.At), ct);
                await dispatcher.NextAsync(message.OrderId, e.Round, ct);
                break;
            case OfferExpired e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Expired, e.At), ct);
                await dispatcher.NextAsync(message.OrderId, e.Round, ct);
                break;
            case OfferMade or OrderGrabbed or WorkerAssignedByAdmin or WorkerReassigned:
                // The move released the previous holder already, unless its run died first.
                if (await lifecycle.FindAsync(message.OrderId, ct) is { } moved)
                {
                    await handover.ReleaseFormerHoldersAsync(moved, ct);
                }

                break;
        }
    }
}
