using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Booking;

/// <summary>
/// What a hold did. <see cref="AlreadyHeld"/> (only when asked for, see <see cref="Reservations.HoldAsync(string, Reservation, TravelRules, int, CalendarDocument?, CancellationToken, bool)"/>):
/// the calendar already has an entry of this order — another run of the same booking got there first.
/// </summary>
public enum HoldOutcome { Held, Conflict, AlreadyHeld }

/// <summary>
/// Changes to workers' calendar documents. Each change reads the calendar, decides with <see cref="WorkerCalendar"/>,
/// and writes back at the ETag it read; a lost race (412/409) reads again and decides again, so two orders can never
/// hold overlapping (buffer- and travel-widened) time of one worker. A caller that already has the whole document
/// (booking: the one its candidates were judged on, or the one its hold wrote) may hand it in as the first attempt's
/// read: it is settled and decided on exactly like a fresh read, and only a write that wins at its ETag counts; a lost
/// write, or a decision to write nothing, falls back to reading.
/// <para>
/// Crash safety: a booking first <see cref="HoldAsync">holds</see> the time with an expiry, then writes the order,
/// then <see cref="ConfirmAsync">confirms</see> the hold. If the process dies before the order is written, the hold
/// expires after <see cref="HoldDuration"/> and stops counting. Whoever next changes that calendar settles expired
/// holds against the orders: a hold whose order exists and still points at this worker and time is confirmed (the
/// process died between the order write and the confirm), any other is dropped.
/// </para>
/// </summary>
public sealed class Reservations(WorkerSchedules schedules, CosmosDb db, TimeProvider time, ILogger<Reservations> logger)
{
    public static readonly TimeSpan HoldDuration = TimeSpan.FromMinutes(2);

    /// <summary>Past reservations kept in the document (for the worker's recent calendar); older ones are pruned on write.</summary>
    public static readonly TimeSpan KeepPast = TimeSpan.FromDays(7);

    private const int MaxAttempts = 64;

    public async Task<HoldOutcome> HoldAsync(string workerId, Reservation reservation, TravelRules travel, int bufferMinutes, CancellationToken ct) =>
        (await HoldAsync(workerId, reservation, travel, bufferMinutes, known: null, ct)).Outcome;

    /// <summary>
    /// Holds the time, starting from <paramref name="known"/> (the whole calendar document with its ETag) when given.
    /// <c>Written</c> is the calendar as this hold stored it, with its new ETag, for <see cref="ConfirmAsync(string, Reservation, TravelRules, int, CalendarDocument?, CancellationToken)"/>.
    /// With <paramref name="ownedByOneRun"/> (a booking whose order id comes from its Idempotency-Key, so concurrent runs of one
    /// request share it) an entry of the order already in the calendar — held or confirmed, after expired holds are settled — is
    /// <see cref="HoldOutcome.AlreadyHeld"/> and nothing is written: that run owns the order, and holding again would renew its hold.
    /// </summary>
    public async Task<(HoldOutcome Outcome, CalendarDocument? Written)> HoldAsync(
        string workerId, Reservation reservation, TravelRules travel, int bufferMinutes, CalendarDocument? known, CancellationToken ct,
        bool ownedByOneRun = false) =>
        await ChangeAsync(workerId, known, (document, calendar, now) =>
            ownedByOneRun && document.Reservations.Any(r => r.OrderId == reservation.OrderId) ? (null, HoldOutcome.AlreadyHeld) :
            WorkerCalendar.TryReserve(calendar, reservation, travel, bufferMinutes) switch
            {
                CalendarChange.Applied a => (With(document, a.Calendar, now, held: reservation.OrderId, holdUntil: now + HoldDuration), HoldOutcome.Held),
                CalendarChange.Conflict or CalendarChange.OrderAlreadyHeld => (null, HoldOutcome.Conflict),
                var other => throw new InvalidOperationException($"Unexpected calendar change {other}"),
            }, ct);

    public Task<bool> ConfirmAsync(string workerId, Reservation reservation, TravelRules travel, int bufferMinutes, CancellationToken ct) =>
        ConfirmAsync(workerId, reservation, travel, bufferMinutes, known: null, ct);

    /// <summary>
    /// Makes the order's hold permanent. If the hold was lost meanwhile, holds the time again if still free; false when it is not.
    /// Starts from <paramref name="known"/> (the document the hold wrote) when given.
    /// </summary>
    public async Task<bool> ConfirmAsync(string workerId, Reservation reservation, TravelRules travel, int bufferMinutes, CalendarDocument? known, CancellationToken ct) =>
        (await ChangeAsync(workerId, known, (document, calendar, now) =>
        {
            if (document.Reservations.FirstOrDefault(r => r.OrderId == reservation.OrderId) is { } entry &&
                entry.Start == reservation.Start && entry.End == reservation.End)
            {
                return entry.HoldUntil is null
                    ? (null, true)
                    : (document with { Reservations = [.. document.Reservations.Select(r => r.OrderId == entry.OrderId ? r with { HoldUntil = null } : r)] }, true);
            }

            return WorkerCalendar.TryReserve(calendar, reservation, travel, bufferMinutes) switch
            {
                CalendarChange.Applied a => (With(document, a.Calendar, now, held: reservation.OrderId, holdUntil: null), true),
                _ => (null, false),
            };
        }, ct)).Result;

    public async Task<bool> ReleaseAsync(string workerId, string orderId, CancellationToken ct) =>
        (await ChangeAsync(workerId, known: null, (document, calendar, now) =>
            calendar.Find(orderId) is null && document.Reservations.All(r => r.OrderId != orderId)
                ? (null, false)
                : (document with { Reservations = [.. document.Reservations.Where(r => r.OrderId != orderId)] }, true), ct)).Result;

    /// <summary>Moves the order's reservation in one replace: the new time is checked against all others and swapped in, never both held, never none.</summary>
    public async Task<CalendarChange> MoveAsync(string workerId, Reservation moved, TravelRules travel, int bufferMinutes, CancellationToken ct) =>
        (await ChangeAsync(workerId, known: null, (document, calendar, now) =>
        {
            var change = WorkerCalendar.TryMove(calendar, moved.OrderId, moved, travel, bufferMinutes);
            return change is CalendarChange.Applied a ? (With(document, a.Calendar, now, held: moved.OrderId, holdUntil: null), change) : (null, change);
        }, ct)).Result;

    /// <summary>
    /// The read–decide–conditional-write loop. <paramref name="decide"/> sees the calendar with expired holds settled and
    /// returns the document to write (null: nothing to write) and its result; <c>Written</c> is the stored document with
    /// its new ETag (null when nothing was written). The first attempt starts from <paramref name="known"/> when given,
    /// instead of a read; since that copy may be stale, only a won write ends the loop on it.
    /// </summary>
    private async Task<(T Result, CalendarDocument? Written)> ChangeAsync<T>(
        string workerId, CalendarDocument? known, Func<CalendarDocument, WorkerCalendar, DateTimeOffset, (CalendarDocument? Next, T Result)> decide,
        CancellationToken ct)
    {
        if (known is not null && known.WorkerId != workerId)
        {
            throw new ArgumentException($"The calendar handed in is worker {known.WorkerId}'s, not {workerId}'s", nameof(known));
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var unverified = attempt == 0 && known is not null;
            var read = unverified ? known! : await schedules.GetCalendarAsync(workerId, ct);
            var now = time.GetUtcNow();
            var settled = await SettleExpiredHoldsAsync(read, now, ct);
            var (next, result) = decide(settled, settled.ToCalendar(now), now);
            if (next is null)
            {
                if (unverified)
                {
                    continue; // nothing to write on a copy that may be stale: decide again on a read
                }

                return (result, null);
            }

            next = next with { Reservations = [.. next.Reservations.Where(r => r.End > now - KeepPast)] };
            if (await schedules.TryWriteCalendarAsync(read, next, ct) is { } written)
            {
                return (result, written);
            }
        }

        logger.LogWarning("Calendar of worker {WorkerId} stayed contended after {Attempts} attempts", workerId, MaxAttempts);
        throw new ConflictException("calendar_busy");
    }

    private async Task<CalendarDocument> SettleExpiredHoldsAsync(CalendarDocument document, DateTimeOffset now, CancellationToken ct)
    {
        if (!document.Reservations.Any(r => r.HoldUntil <= now))
        {
            return document;
        }

        var settled = new List<CalendarEntry>();
        foreach (var entry in document.Reservations)
        {
            if (entry.HoldUntil is null || entry.HoldUntil > now)
            {
                settled.Add(entry);
                continue;
            }

            var order = (await db.Orders.ReadOrNullAsync<OrderDocument>(entry.OrderId, entry.OrderId, ct))?.Resource;
            if (order is not null && order.Reservation.WorkerId == document.WorkerId && order.Reservation.Start == entry.Start &&
                order.Status is not (OrderStatus.Cancelled or OrderStatus.Closed))
            {
                logger.LogWarning("Confirming expired hold of order {OrderId} on worker {WorkerId}: the order was written", entry.OrderId, document.WorkerId);
                settled.Add(entry with { HoldUntil = null });
            }
            else
            {
                logger.LogWarning("Dropping orphaned hold of order {OrderId} on worker {WorkerId}", entry.OrderId, document.WorkerId);
            }
        }

        return document with { Reservations = settled };
    }

    /// <summary>The document for a domain calendar: entries keep their stored hold state; <paramref name="held"/> gets the given one.</summary>
    private static CalendarDocument With(CalendarDocument document, WorkerCalendar calendar, DateTimeOffset now, string held, DateTimeOffset? holdUntil)
    {
        var stored = document.Reservations.ToDictionary(r => r.OrderId, StringComparer.Ordinal);
        var counted = calendar.Reservations.Select(r => r.OrderId).ToHashSet(StringComparer.Ordinal);
        var entries = calendar.Reservations.Select(r => r.OrderId == held
            ? new CalendarEntry(r.OrderId, r.Start, r.End, r.Location, stored.GetValueOrDefault(r.OrderId)?.HeldAt ?? now, holdUntil)
            : stored[r.OrderId]);
        // Entries the domain calendar did not see (none after settling) are kept as they were.
        var rest = document.Reservations.Where(r => !counted.Contains(r.OrderId) && r.OrderId != held);
        return document with { Reservations = [.. entries.Concat(rest).OrderBy(r => r.Start)] };
    }
}
