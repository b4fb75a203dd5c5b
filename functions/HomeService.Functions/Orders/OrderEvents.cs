using System.Text.Json;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Dispatch;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;
using HomeService.Functions.Notifications;
using HomeService.Functions.Workers;

namespace HomeService.Functions.Orders;

/// <summary>One event of an order's history with the notifications it causes; <see cref="Id"/> = "{order}:{position}".</summary>
public sealed record OrderEventMessage(string Id, string OrderId, OrderEvent Event, IReadOnlyList<OrderNotification> Notifications)
{
    public int Position => int.Parse(Id[(Id.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The side effects of one event of an order's history (the orchestration's <see cref="OrderActivities.ReactToEvent"/>):
/// the message-center entries it causes, its integration event for downstream systems (published once: the id is the
/// position, and the topic drops repeats), and the reactions that follow it (<see cref="OrderReactions"/>). The event is
/// read from the stored order at its position, never taken from a message, and every step is idempotent by the
/// position, so running it twice changes nothing.
/// </summary>
public sealed class OrderEventHandler(
    OrderLifecycle lifecycle, MessageCenter center, IIntegrationEvents integration, OrderReactions reactions, ILogger<OrderEventHandler> logger)
{
    /// <summary>Admin notifications go to one shared inbox, read at /api/admin/alerts.</summary>
    public const string AdminInbox = "admins";

    /// <returns>False when the order or the position does not exist (nothing to do).</returns>
    public async Task<bool> HandleAsync(string orderId, int position, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        if (order is null || position < 0 || position >= order.History.Count)
        {
            logger.LogWarning("Order {OrderId} has no event at position {Position}", orderId, position);
            return false;
        }

        var message = MessageOf(order, position);
        foreach (var notification in message.Notifications)
        {
            var recipient = notification.Audience == Audience.Admin ? AdminInbox : notification.UserId!;
            var category = message.Event is ReminderDue ? "reminder" : "order";
            await center.PostAsync(recipient, $"{message.Id}:{recipient}", category, notification.MessageKey, message.OrderId, ct);
        }

        await integration.PublishAsync(IntegrationEventOf(order, position), ct);
        await reactions.ReactAsync(message, ct);
        logger.LogDebug("Order event {Event} of {OrderId} at {Position} handled", message.Event.GetType().Name, orderId, position);
        return true;
    }

    /// <summary>The event at <paramref name="position"/> as downstream systems see it: the order's status after it, its data.</summary>
    public static OrderIntegrationEvent IntegrationEventOf(OrderDocument order, int position)
    {
        var @event = order.History[position];
        var after = OrderDecider.Evolve(OrderState.Initial, order.History.Take(position + 1));
        return new OrderIntegrationEvent($"{order.Id}:{position}", @event.GetType().Name, order.Id, order.CityId,
            JsonNamingPolicy.CamelCase.ConvertName(after.Status.ToString()), position, @event.At,
            JsonSerializer.SerializeToElement(@event, CosmosDb.JsonOptions));
    }

    /// <summary>The event at <paramref name="position"/> with the notifications it causes, judged on the state before it.</summary>
    public static OrderEventMessage MessageOf(OrderDocument order, int position)
    {
        var before = OrderDecider.Evolve(OrderState.Initial, order.History.Take(position));
        var @event = order.History[position];
        return new OrderEventMessage($"{order.Id}:{position}", order.Id, @event, OrderNotifications.For(@event, before));
    }
}

/// <summary>
/// What follows an order event outside the order document itself. Each reaction is safe to run twice:
/// releasing a released reservation is a no-op, and commands sent back to the order are decided again
/// (an already-applied one decides nothing). Dispatch and settlement are not reactions but moves of the
/// orchestration (<see cref="OrderOrchestrator"/>), decided from the order's state.
/// </summary>
public sealed class OrderReactions(
    OrderLifecycle lifecycle, Reservations reservations, Handover handover, OrderMoneyReactions money,
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
            case OfferAccepted e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Accepted, e.At), ct);
                break;
            case OfferRejected e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Rejected, e.At), ct);
                break;
            case OfferExpired e:
                await workers.RecordOfferAsync(e.WorkerId, new OfferRecord(e.OrderId, e.Round, OfferOutcome.Expired, e.At), ct);
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
