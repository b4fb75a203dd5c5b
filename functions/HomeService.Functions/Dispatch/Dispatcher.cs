using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Booking;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;

namespace HomeService.Functions.Dispatch;

/// <summary>
/// Finds the worker for a paid order, as the order's orchestration asks (<see cref="OrderOrchestrator"/>, its offer move):
/// <list type="bullet">
/// <item>paid, designated or auto-assign → offer round 1 to the worker whose time the order already holds;</item>
/// <item>paid, grab pool → nothing to do: the order is listed in the pool until someone grabs it or its
/// <see cref="TimerKind.GrabPoolExpiry"/> timer escalates it;</item>
/// <item>offer rejected or expired → the best free candidate not yet declined gets the next round (their time held first),
/// or, with none left or for a designated order, manual dispatch.</item>
/// </list>
/// Every step is keyed to the round it follows and built from the fresh order, so a repeated or late move decides
/// nothing and a duplicate run cannot offer twice; a hold taken by a run that lost is released (<see cref="Handover"/>).
/// </summary>
public sealed class Dispatcher(
    OrderLifecycle lifecycle, Handover handover, Candidates candidates, CitySettingsStore cities, TimeProvider time, ILogger<Dispatcher> logger)
{
    /// <summary>The orchestration's dispatch move: the first offer after the payment (round 0), or the next after a refusal.</summary>
    public Task OfferNextAsync(string orderId, int round, CancellationToken ct) =>
        round == 0 ? StartAsync(orderId, ct) : NextAsync(orderId, round, ct);

    public async Task StartAsync(string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        if (order is null || order.Status != OrderStatus.Dispatching || order.State.OfferRound != 0)
        {
            return;
        }

        if (order.State.DispatchMode == DispatchMode.GrabPool)
        {
            logger.LogInformation("Order {OrderId} is open in the grab pool until {ClosesAt}", orderId, order.State.DeadlineOf(TimerKind.GrabPoolExpiry)?.DueAt);
            return;
        }

        // Booking already holds the time of the designated worker, or of the best free candidate: offer it to them first.
        await lifecycle.ExecuteAsync(orderId, (current, now) =>
            current.Status == OrderStatus.Dispatching && current.State.OfferRound == 0
                ? new Offer(current.State.DesignatedWorkerId ?? current.Reservation.WorkerId, 1, now)
                : null, ct);
    }

    /// <summary>After the offer of <paramref name="round"/> was rejected or expired.</summary>
    public async Task NextAsync(string orderId, int round, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        if (order is null)
        {
            return;
        }

        // A run that died after moving the order left the previous holder's time held.
        await handover.ReleaseFormerHoldersAsync(order, ct);
        if (!StillAfter(order, round))
        {
            return;
        }

        if (order.State.DispatchMode == DispatchMode.Designated)
        {
            await EscalateAsync(orderId, round, "the designated worker did not accept", ct);
            return;
        }

        if (round >= order.State.Timings.MaxOfferRounds)
        {
            await EscalateAsync(orderId, round, $"no worker accepted after {round} offer rounds", ct);
            return;
        }

        var scored = await ScoreAsync(order, ct);
        foreach (var workerId in scored.Select(s => s.WorkerId))
        {
            var (outcome, _) = await handover.MoveAsync(order, workerId,
                (current, now) => StillAfter(current, round) ? new Offer(workerId, round + 1, now) : null, ct,
                next => next with { OfferRankings = [.. next.OfferRankings, OfferRanking.Of(round + 1, time.GetUtcNow(), workerId, scored)] });
            if (outcome == HandoverOutcome.SlotTaken)
            {
                continue;
            }

            logger.LogInformation("Order {OrderId} round {Round}: {Outcome} with worker {WorkerId}", orderId, round + 1, outcome, workerId);
            return;
        }

        await EscalateAsync(orderId, round, "no free candidate left", ct);
    }

    /// <summary>The free candidates for the order's slot, best first with their scores, without those who declined or hold it now.</summary>
    public async Task<IReadOnlyList<ScoredCandidate>> ScoreAsync(OrderDocument order, CancellationToken ct)
    {
        var settings = await cities.GetAsync(order.CityId, ct);
        var now = time.GetUtcNow();
        var state = order.State;
        var r = order.Reservation;
        var spec = new ServiceItemSpec(order.ItemId, (int)(r.End - r.Start).TotalMinutes, r.BufferMinutes);
        var rules = DispatchRules(settings);
        var excluded = state.DeclinedWorkerIds.Append(r.WorkerId).ToHashSet(StringComparer.Ordinal);
        // The nearest who cover the address, as availability and booking see them, plus as many as are excluded (they are near too).
        var day = DateOnly.FromDateTime(ZoneTime.ToLocal(r.Start, settings.Zone));
        var found = await candidates.NearestAsync(order.CityId, order.ItemId, r.Location, settings.Zone, day, day, now, ct,
            Candidates.NearestLimit + excluded.Count, forRanking: true);
        var asked = found.Where(c => !excluded.Contains(c.Worker.Id)).ToList();
        var free = AvailabilityCalculator.WhoCanTake(
                [.. asked.Select(c => c.Domain with { Calendar = WorkerCalendar.Release(c.Domain.Calendar, order.Id) })],
                spec, r.Location, r.Start, now, settings.Zone, rules)
            .Select(i => asked[i]).ToList();
        return CandidateRanking.Score(free, settings, r.ToDomain(order.Id), now);
    }

    /// <summary>
    /// Booking rules for an order already booked: the notice period protected the customer's choice of time and no longer
    /// applies once the order exists (a worker may take it at short notice).
    /// </summary>
    public static AvailabilityRules DispatchRules(CitySettings settings) => settings.Availability with { MinimumNoticeMinutes = 0 };

    private Task EscalateAsync(string orderId, int round, string reason, CancellationToken ct) =>
        lifecycle.ExecuteAsync(orderId, (current, now) => StillAfter(current, round) ? new EscalateToManual(reason, now) : null, ct);

    /// <summary>The order is still waiting for the step after <paramref name="round"/>'s refusal (nobody moved it on yet).</summary>
    private static bool StillAfter(OrderDocument order, int round) =>
        order.Status == OrderStatus.Dispatching && order.State.OfferRound == round && order.State.OfferedToWorkerId is null;
}
