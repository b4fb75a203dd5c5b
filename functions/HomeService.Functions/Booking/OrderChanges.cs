using System.Net;
using HomeService.Domain.Booking;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Scheduling;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Booking;

public sealed record CancelRequest(string? Reason);

public sealed record RescheduleRequest(DateTimeOffset? Start);

/// <summary>
/// Customer changes to an order: cancel and reschedule. Each order write is read → decide → If-Match replace; a lost
/// race reads again.
/// <para>
/// Reschedule keeps the old slot until the new one is held: the worker's calendar moves the reservation in ONE
/// replace (<see cref="WorkerCalendar.TryMove"/>), so the calendar never holds none or two for the order. The order
/// document is marked <see cref="OrderDocument.PendingReschedule"/> before the move and updated from the calendar
/// after it; if the process dies in between, the next change (or read) of the order finds the mark and settles the
/// order to whatever the calendar holds.
/// </para>
/// </summary>
public sealed class OrderChanges(
    CosmosDb db, Reservations reservations, WorkerSchedules schedules, CitySettingsStore cities,
    Orders.IOrderOrchestrations orchestrations, Orders.OrderLifecycle lifecycle, TimeProvider time, ILogger<OrderChanges> logger)
{
    private static readonly OrderStatus[] Reschedulable =
        [OrderStatus.PendingPayment, OrderStatus.Dispatching, OrderStatus.Offered, OrderStatus.ManualDispatch, OrderStatus.Accepted];

    /// <summary>The caller's order (404 for anyone else's), with an interrupted reschedule settled first.</summary>
    public async Task<OrderDocument> GetMineAsync(string userId, string orderId, CancellationToken ct)
    {
        var order = await FindAsync(orderId, ct);
        if (order is null || order.CustomerId != userId)
        {
            throw new NotFoundException("res.order", orderId);
        }

        // Only a reschedule abandoned by a dead run is settled here; one in flight owns the order until it finishes.
        return IsAbandoned(order.PendingReschedule) ? await SettleRescheduleAsync(order, ct) : order;
    }

    /// <summary>How long a reschedule may own an order before another request settles it from the calendar.</summary>
    private static readonly TimeSpan RescheduleLease = TimeSpan.FromSeconds(30);

    private bool IsAbandoned(PendingReschedule? pending) => pending is not null && time.GetUtcNow() - pending.RequestedAt > RescheduleLease;

    public async Task<OrderDocument> CancelAsync(string userId, string orderId, string reason, CancellationToken ct)
    {
        while (true)
        {
            var order = await GetMineAsync(userId, orderId, ct);
            var state = order.State;
            var now = time.GetUtcNow();
            var policy = (await cities.GetAsync(order.CityId, ct)).Cancellation;
            var progress = state.Status switch
            {
                OrderStatus.Accepted or OrderStatus.OnTheWay => OrderProgress.Accepted,
                OrderStatus.Arrived or OrderStatus.InService => OrderProgress.Started,
                _ => OrderProgress.NotAccepted,
            };
            var quote = Cancellation.Decide(policy, progress, state.ScheduledStart, state.RefundableFen, now) switch
            {
                CancellationDecision.Allowed a => a.Quote,
                CancellationDecision.NotAllowed n => throw new ConflictException("cancel_not_allowed", n.Reason),
                _ => throw new InvalidOperationException("unknown cancellation decision"),
            };
            var decision = OrderDecider.Decide(new Cancel(new Actor(ActorRole.Customer, userId), reason, quote.FeeFen, quote.RefundFen, now), state);
            if (decision.Error is { } error)
            {
                throw new OrderTransitionException(error);
            }

            if (decision.Events.Count > 0)
            {
                var next = order.Apply(decision.Events, now) with { Cancellation = quote };
                if (!await TryReplaceAsync(order, next, ct))
                {
                    continue;
                }

                order = next;
                logger.LogInformation("Order {OrderId} cancelled by {CustomerId} ({Reason}), fee {FeeFen}", orderId, userId, quote.Reason, quote.FeeFen);
            }

            // Also on a repeated cancel: a run that died after the order write left the time held.
            await reservations.ReleaseAsync(order.Reservation.WorkerId, orderId, ct);
            var cancelled = await FindAsync(orderId, ct) ?? order;
            await orchestrations.ChangedAsync(orderId, orchestrationMayHaveFinished: false, ct);
            return cancelled;
        }
    }

    public async Task<OrderDocument> RescheduleAsync(string userId, string orderId, DateTimeOffset newStart, CancellationToken ct)
    {
        var order = await GetMineAsync(userId, orderId, ct);
        if (!Reschedulable.Contains(order.Status))
        {
            throw new OrderTransitionException(new OrderTransitionError(order.Status, "Reschedule", OrderErrorCodes.NotAllowedInState, OrderErrorKind.Conflict));
        }

        var settings = await cities.GetAsync(order.CityId, ct);
        var now = time.GetUtcNow();
        newStart = newStart.ToUniversalTime();
        BookingService.CheckStart(newStart, now, settings);
        var r = order.Reservation;
        if (newStart == r.Start)
        {
            return order;
        }

        var moved = new Reservation(orderId, newStart, newStart + (r.End - r.Start), r.Location);
        await CheckWorkingHoursAsync(order, moved, settings, now, ct);

        // 1. Mark the order (one reschedule at a time: the mark is taken with If-Match), 2. move in the calendar
        // (one replace), 3. settle the order from the calendar and clear the mark.
        order = await ReplaceAsync(orderId, o => o.PendingReschedule is null || IsAbandoned(o.PendingReschedule)
            ? o with { PendingReschedule = new PendingReschedule(moved.Start, moved.End, now) }
            : throw new ConflictException("reschedule_in_progress"), ct);
        var change = await reservations.MoveAsync(r.WorkerId, moved, settings.Travel, r.BufferMinutes, ct);
        order = await SettleRescheduleAsync(order, ct);
        return change switch
        {
            CalendarChange.Applied => order,
            CalendarChange.Conflict => throw new ConflictException("slot_taken"),
            _ => throw new ConflictException("reservation_missing"),
        };
    }

    /// <summary>
    /// Brings an order marked as rescheduling in line with the worker's calendar (the calendar says which time is
    /// held): the decider's Reschedule moves the order's time and its reminders and tells customer and worker, in the
    /// same write that switches the reservation and clears the mark.
    /// </summary>
    public async Task<OrderDocument> SettleRescheduleAsync(OrderDocument order, CancellationToken ct)
    {
        var calendar = await schedules.GetCalendarAsync(order.Reservation.WorkerId, ct);
        var entry = calendar.Reservations.FirstOrDefault(e => e.OrderId == order.Id);
        if (entry is null || (entry.Start == order.Reservation.Start && entry.End == order.Reservation.End))
        {
            return await ReplaceAsync(order.Id, o => o with { PendingReschedule = null }, ct);
        }

        OrderDocument Moved(OrderDocument o) => o with
        {
            PendingReschedule = null,
            Reservation = o.Reservation with { Start = entry.Start, End = entry.End },
            Reschedules = [.. o.Reschedules, new RescheduleRecord(o.Reservation.Start, entry.Start, time.GetUtcNow())],
        };

        try
        {
            var settled = await lifecycle.ExecuteAsync(order.Id,
                (o, now) => new Reschedule(new Actor(ActorRole.Customer, o.CustomerId), entry.Start, entry.End, now), ct, Moved);
            logger.LogInformation("Order {OrderId} rescheduled from {From} to {To}", order.Id, order.Reservation.Start, entry.Start);
            return settled.PendingReschedule is null ? settled : await ReplaceAsync(order.Id, Moved, ct);
        }
        catch (OrderTransitionException e)
        {
            // The order moved on (e.g. the worker set off) after the calendar moved: the calendar is the truth for the time.
            logger.LogWarning("Order {OrderId} follows its calendar to {To} without a reschedule event ({Code})", order.Id, entry.Start, e.Error.Code);
            var followed = await ReplaceAsync(order.Id, o => Moved(o) with { State = o.State with { ScheduledStart = entry.Start, ScheduledEnd = entry.End } }, ct);
            await orchestrations.ChangedAsync(order.Id, orchestrationMayHaveFinished: false, ct);
            return followed;
        }
    }

    /// <summary>The worker's plan must cover the new time; the calendar move then checks every other reservation.</summary>
    private async Task CheckWorkingHoursAsync(OrderDocument order, Reservation moved, CitySettings settings, DateTimeOffset now, CancellationToken ct)
    {
        var workerId = order.Reservation.WorkerId;
        var worker = await schedules.FindWorkerAsync(workerId, ct) ?? throw new ConflictException("worker_not_available");
        var plan = await schedules.GetPlanAsync(workerId, ct);
        var domain = Scheduling.Candidates.ToDomain(worker, plan, WorkerCalendar.Empty(workerId));
        var item = new ServiceItemSpec(order.ItemId, (int)(moved.End - moved.Start).TotalMinutes, order.Reservation.BufferMinutes);
        var verdict = AvailabilityCalculator.CanWorkerTake(domain, item, moved.Location, moved.Start, now, settings.Zone, settings.Availability);
        if (verdict != SlotVerdict.Available)
        {
            throw new ConflictException(verdict == SlotVerdict.Unavailable ? "outside_working_hours" : "worker_not_available");
        }
    }

    public async Task<OrderDocument?> FindAsync(string orderId, CancellationToken ct) =>
        (await db.Orders.ReadOrNullAsync<OrderDocument>(orderId, orderId, ct))?.Resource;

    /// <summary>Read → change → If-Match replace, again on a lost race (<paramref name="change"/> may throw to refuse).</summary>
    public async Task<OrderDocument> ReplaceAsync(string orderId, Func<OrderDocument, OrderDocument> change, CancellationToken ct)
    {
        while (true)
        {
            var order = await FindAsync(orderId, ct) ?? throw new NotFoundException("res.order", orderId);
            var next = change(order) with { UpdatedAt = time.GetUtcNow() };
            if (await TryReplaceAsync(order, next, ct))
            {
                return (await FindAsync(orderId, ct))!;
            }
        }
    }

    private async Task<bool> TryReplaceAsync(OrderDocument read, OrderDocument next, CancellationToken ct)
    {
        try
        {
            await db.Orders.ReplaceItemAsync(next with { ETag = null }, read.Id, new PartitionKey(read.Id), new ItemRequestOptions { IfMatchEtag = read.ETag }, ct);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }
}
