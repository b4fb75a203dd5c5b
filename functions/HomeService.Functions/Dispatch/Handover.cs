using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Booking;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Dispatch;

public enum HandoverOutcome
{
    /// <summary>The command was applied and the order now holds the new worker's time.</summary>
    Moved,
    /// <summary>The new worker's calendar has no room for the order's time; nothing changed.</summary>
    SlotTaken,
    /// <summary>The command decided nothing (the order moved on or it was already done); our hold was let go.</summary>
    NotApplied,
}

/// <summary>
/// Moves an order's worker time to another worker together with the command that gives them the order (offer, grab,
/// admin assignment). Order of writes: hold the new worker's time on their calendar (If-Match), write the order
/// (command + reservation switch, one If-Match replace), confirm the hold, and only then release the previous holder.
/// A crash after the hold leaves a hold that expires by itself; a crash after the order write leaves the previous
/// holder in <see cref="OrderDocument.FormerHolderIds"/>, which the event's reaction releases.
/// </summary>
public sealed class Handover(OrderLifecycle lifecycle, Reservations reservations, CitySettingsStore cities, ILogger<Handover> logger)
{
    /// <param name="command">Built from the fresh order on every attempt; null = the order moved on, give up.</param>
    /// <param name="amend">Anything else written with the command in the same replace (e.g. the offer's ranking).</param>
    public async Task<(HandoverOutcome Outcome, OrderDocument Order)> MoveAsync(
        OrderDocument order, string workerId, Func<OrderDocument, DateTimeOffset, OrderCommand?> command, CancellationToken ct,
        Func<OrderDocument, OrderDocument>? amend = null)
    {
        var travel = (await cities.GetAsync(order.CityId, ct)).Travel;
        var held = order.Reservation;
        var reservation = new Reservation(order.Id, held.Start, held.End, held.Location);
        if (await reservations.HoldAsync(workerId, reservation, travel, held.BufferMinutes, ct) == HoldOutcome.Conflict)
        {
            return (HandoverOutcome.SlotTaken, order);
        }

        OrderDocument written;
        try
        {
            // Only while the order still wants exactly the time we hold (a reschedule may have moved it meanwhile).
            written = await lifecycle.ExecuteAsync(order.Id,
                (current, now) => current.Reservation.Start == held.Start && current.Reservation.End == held.End && current.PendingReschedule is null
                    ? command(current, now)
                    : null,
                ct, amend: next => amend is null ? next.HeldBy(workerId) : amend(next.HeldBy(workerId)));
        }
        catch (Exception)
        {
            await LetGoAsync(order.Id, workerId, CancellationToken.None);
            throw;
        }

        if (written.Reservation.WorkerId != workerId)
        {
            await LetGoAsync(order.Id, workerId, ct);
            return (HandoverOutcome.NotApplied, written);
        }

        if (!await reservations.ConfirmAsync(workerId, reservation, travel, held.BufferMinutes, ct))
        {
            // Only when this run stalled past the hold's expiry and someone took the time meanwhile.
            logger.LogError("Order {OrderId} moved to worker {WorkerId} but their time could not be confirmed", order.Id, workerId);
        }

        await ReleaseFormerHoldersAsync(written, ct);
        logger.LogInformation("Order {OrderId} now holds the time of worker {WorkerId}", order.Id, workerId);
        return (HandoverOutcome.Moved, written);
    }

    /// <summary>Releases every former holder's time the order no longer points at. Idempotent: safe to run on every redelivery.</summary>
    public async Task ReleaseFormerHoldersAsync(OrderDocument order, CancellationToken ct)
    {
        foreach (var former in order.FormerHolderIds.Where(id => id != order.Reservation.WorkerId))
        {
            if (await reservations.ReleaseAsync(former, order.Id, ct))
            {
                logger.LogInformation("Released the time worker {WorkerId} held for order {OrderId}", former, order.Id);
            }
        }
    }

    /// <summary>Drops our hold unless the (fresh) order points at us after all.</summary>
    private async Task LetGoAsync(string orderId, string workerId, CancellationToken ct)
    {
        var fresh = await lifecycle.FindAsync(orderId, ct);
        if (fresh?.Reservation.WorkerId != workerId)
        {
            await reservations.ReleaseAsync(workerId, orderId, ct);
        }
    }
}
