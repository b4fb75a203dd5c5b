using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Dispatch;

/// <summary>
/// The grab pool (抢单): paid orders of grab-pool cities that nobody has taken yet. A worker sees only the orders they can
/// actually serve now — approved and accepting, offering the item, the address within their radius, and free for that
/// slot on their calendar (<see cref="AvailabilityCalculator.CanWorkerTake"/>). A grab holds the worker's time first and
/// then writes <see cref="Grab"/> through the lifecycle; the order's If-Match write lets exactly one grab win, the others
/// get 409 taken-by-another-worker and their holds are released.
/// </summary>
public sealed class GrabPool(CosmosDb db, WorkerSchedules schedules, CitySettingsStore cities, Handover handover, OrderLifecycle lifecycle, TimeProvider time)
{
    public async Task<Page<OrderDocument>> ListAsync(string workerId, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var me = await ServerAsync(workerId, ct);
        if (me is null)
        {
            return new Page<OrderDocument>([], null);
        }

        var where = "c.type = @type AND c.status = @status AND c.cityId = @city AND c.state.dispatchMode = @mode AND ARRAY_CONTAINS(@items, c.itemId)";
        var parameters = new Dictionary<string, object?>
        {
            ["@type"] = OrderDocument.Kind,
            ["@status"] = JsonNamingPolicy.CamelCase.ConvertName(nameof(OrderStatus.Dispatching)),
            ["@city"] = me.Value.CityId,
            ["@mode"] = JsonNamingPolicy.CamelCase.ConvertName(nameof(DispatchMode.GrabPool)),
            ["@items"] = me.Value.Worker.Items.Select(i => i.ItemId).ToArray(),
        };
        // The page is what the query scanned, minus what this worker cannot serve; the token continues after the scan.
        var page = await db.Orders.KeysetPageAsync<OrderDocument>(null, where, parameters, "createdKey", descending: false, o => o.CreatedKey,
            ContinuationTokens.Fingerprint("grab-pool", workerId), continuationToken, pageSize, ct);
        var now = time.GetUtcNow();
        var settings = await cities.GetAsync(me.Value.CityId, ct);
        return page with { Items = [.. page.Items.Where(o => CanServe(me.Value.Worker, o, settings, now))] };
    }

    public async Task<OrderDocument> GrabAsync(string workerId, string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        if (order is null || order.State.DispatchMode != DispatchMode.GrabPool)
        {
            throw new NotFoundException("res.order", orderId);
        }

        if (order.State.CurrentWorkerId == workerId)
        {
            return order;
        }

        if (order.Status != OrderStatus.Dispatching)
        {
            // Taken (or no longer open): the decider names the state and says taken-by-another-worker.
            var refused = OrderDecider.Decide(new Grab(workerId, time.GetUtcNow()), order.State);
            throw new OrderTransitionException(refused.Error ?? new OrderTransitionError(order.Status, nameof(Grab), OrderErrorCodes.NotAllowedInState, OrderErrorKind.Conflict));
        }

        var me = await ServerAsync(workerId, ct);
        if (me is null || me.Value.CityId != order.CityId || !CanServe(me.Value.Worker, order, await cities.GetAsync(order.CityId, ct), time.GetUtcNow()))
        {
            throw new ConflictException("cannot_serve_order");
        }

        var (outcome, written) = await handover.MoveAsync(order, workerId, (_, now) => new Grab(workerId, now), ct);
        return outcome switch
        {
            HandoverOutcome.SlotTaken => throw new ConflictException("slot_taken"),
            _ => written,
        };
    }

    private static bool CanServe(CandidateWorker worker, OrderDocument order, CitySettings settings, DateTimeOffset now)
    {
        var r = order.Reservation;
        var spec = new ServiceItemSpec(order.ItemId, (int)(r.End - r.Start).TotalMinutes, r.BufferMinutes);
        // The order may hold this very worker's time (the booking placeholder): it must not block itself.
        var free = worker with { Calendar = WorkerCalendar.Release(worker.Calendar, order.Id) };
        return AvailabilityCalculator.CanWorkerTake(free, spec, r.Location, r.Start, now, settings.Zone, Dispatcher.DispatchRules(settings)) == SlotVerdict.Available;
    }

    /// <summary>The worker as availability sees them (plan and calendar now), or null when they cannot take orders at all.</summary>
    private async Task<(CandidateWorker Worker, string CityId)?> ServerAsync(string workerId, CancellationToken ct)
    {
        var worker = await schedules.FindWorkerAsync(workerId, ct);
        if (worker is not { IsBookable: true, HomeBase: not null })
        {
            return null;
        }

        var (plans, calendars) = await schedules.ForWorkersAsync([workerId], null, ct);
        var plan = plans.GetValueOrDefault(workerId) ?? PlanDocument.Empty(workerId);
        var calendar = calendars.GetValueOrDefault(workerId) ?? CalendarDocument.Empty(workerId);
        return (Candidates.ToDomain(worker, plan, calendar.ToCalendar(time.GetUtcNow())), worker.CityId);
    }
}
