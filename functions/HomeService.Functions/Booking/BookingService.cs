using System.Text.Json;
using System.Net;
using HomeService.Domain.Booking;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Dispatch;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Scheduling;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Booking;

public sealed record BookingRequest(string? ItemId, string? AddressId, DateTimeOffset? Start, string? WorkerId, int? Quantity, string? Notes);

public sealed record RecurringBookingRequest(
    string? ItemId, string? AddressId, DateTimeOffset? Start, string? WorkerId, int? Quantity, string? Notes, string? Frequency, int? Occurrences);

public sealed record SkippedOccurrence(int Index, DateTimeOffset Start, string Reason);

public sealed record SeriesView(string SeriesId, string Frequency, IReadOnlyList<OrderView> Orders, IReadOnlyList<SkippedOccurrence> Skipped);

/// <summary>
/// Placing orders: validate, resolve item/address/city rules, pick the worker, hold their time, price, write the order
/// through the decider (<see cref="Place"/>), confirm the hold. See <see cref="Reservations"/> for why that order of writes is crash-safe.
/// </summary>
public sealed class BookingService(
    Candidates candidates, Reservations reservations, WorkerSchedules schedules, IdempotencyRecords idempotency,
    CosmosDb db, Orders.IOrderOrchestrations orchestrations, TimeProvider time, ILogger<BookingService> logger)
{
    public const int NotesMaxLength = 500;

    public static readonly IReadOnlyDictionary<string, RecurrenceFrequency> Frequencies = new Dictionary<string, RecurrenceFrequency>(StringComparer.Ordinal)
    {
        ["weekly"] = RecurrenceFrequency.Weekly,
        ["every2weeks"] = RecurrenceFrequency.EveryTwoWeeks,
        ["every3weeks"] = RecurrenceFrequency.EveryThreeWeeks,
    };

    /// <summary>
    /// Books one order. Its id comes from the customer and the Idempotency-Key (<see cref="OrderIdFor"/>), so every run of one
    /// request works on the same order and the order's create is the key's uniqueness: no record to write first. A replay meets
    /// its first run's traces — the order's entry in the worker's calendar (a confirmed one, or a hold while that run is under way:
    /// wait for its order, else 409 request_in_progress), the order itself when creating it (409 from Cosmos), or a refusal that the
    /// order explains (its start is now too soon, its worker's time is its own) — and answers the order (Created = false), or 422
    /// idempotency_key_reused when it was booked with another body. A run that died leaves at most a hold, which expires.
    /// </summary>
    public async Task<(OrderDocument Order, bool Created)> BookAsync(string userId, string key, BookingRequest request, CancellationToken ct)
    {
        Validate(request.ItemId, request.AddressId, request.Start, request.WorkerId, request.Quantity, request.Notes).ThrowIfInvalid();
        var orderId = OrderIdFor(userId, key);
        var hash = IdempotencyRecords.Hash("order", request);
        try
        {
            return await PlaceAsync(userId, orderId, request, series: null, preferredWorkerId: null, mayExist: false, hash, ct);
        }
        catch (AppException e) when (e is not IdempotencyKeyReusedException && e.Code != RequestInProgress && !e.Data.Contains(OrderWrittenByThisRun))
        {
            // Refused before writing anything: a replay's refusal is explained by the order its first run wrote.
            if (await FindAsync(orderId, ct) is { } existing)
            {
                return (Replayed(existing, hash), false);
            }

            throw;
        }
    }

    /// <summary>The id of the order a customer's Idempotency-Key books (the same format as a minted one: "ord_" and 32 hex digits).</summary>
    public static string OrderIdFor(string userId, string key) =>
        "ord_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"order\n{userId}\n{key}")))[..32];

    private const string RequestInProgress = "request_in_progress";

    /// <summary>Marks a refusal that came after this run wrote the order (and cancelled it): it is this request's answer, not a replay's.</summary>
    private const string OrderWrittenByThisRun = "booking.orderWrittenByThisRun";

    private static OrderDocument Replayed(OrderDocument order, string hash) =>
        order.RequestHash is { } booked && booked != hash ? throw new IdempotencyKeyReusedException() : order;

    /// <summary>
    /// Another run of this request holds the order's time and has not written the order yet: waits for it like a concurrent retry
    /// (<see cref="IdempotencyRecords.WaitForWinner"/>) and answers it, or 409 request_in_progress.
    /// </summary>
    private async Task<(OrderDocument Order, bool Created)> AwaitOtherRunAsync(string orderId, string hash, CancellationToken ct)
    {
        // Waiting for another request's I/O is measured in elapsed real time, not business time.
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            if (await FindAsync(orderId, ct) is { } order)
            {
                return (Replayed(order, hash), false);
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(waitStarted) > idempotency.WaitForWinner)
            {
                throw new ConflictException(RequestInProgress);
            }

            // Waiting for another process's I/O, not business time: real delay on purpose.
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    public async Task<(SeriesView Series, bool Created)> BookSeriesAsync(string userId, string key, RecurringBookingRequest request, string languageTag, CancellationToken ct)
    {
        var v = Validate(request.ItemId, request.AddressId, request.Start, request.WorkerId, request.Quantity, request.Notes);
        v.Check(request.Frequency is not null && Frequencies.ContainsKey(request.Frequency), "frequency", "invalid_frequency")
            .Check(request.Occurrences is >= Recurrence.MinOccurrences and <= Recurrence.MaxOccurrences, "occurrences", "out_of_range", Recurrence.MinOccurrences, Recurrence.MaxOccurrences)
            .ThrowIfInvalid();
        return await idempotency.RunAsync(userId, key, "series", IdempotencyRecords.Hash("series", request),
            async (record, fresh) =>
            {
                var series = await PlaceSeriesAsync(userId, record.ResultId, request, languageTag, mayExist: !fresh, ct);
                await idempotency.SaveResultAsync(record, series, ct);
                return series;
            },
            record => Task.FromResult(record.Result is { } r ? r.Deserialize<SeriesView>(CosmosDb.JsonOptions) : null), ct);
    }

    public async Task<OrderDocument?> FindAsync(string orderId, CancellationToken ct) =>
        (await db.Orders.ReadOrNullAsync<OrderDocument>(orderId, orderId, ct))?.Resource;

    private async Task<SeriesView> PlaceSeriesAsync(
        string userId, string seriesId, RecurringBookingRequest request, string languageTag, bool mayExist, CancellationToken ct)
    {
        var service = await candidates.ResolveAsync(userId, request.ItemId!, request.AddressId!, ct);
        var zone = service.Settings.Zone;
        var local = ZoneTime.ToLocal(request.Start!.Value, zone);
        var frequency = Frequencies[request.Frequency!];
        var starts = Recurrence.Expand(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local), frequency, request.Occurrences!.Value, zone).Starts;
        var orders = new List<OrderView>();
        var skipped = new List<SkippedOccurrence>();
        string? worker = request.WorkerId;
        for (var i = 0; i < starts.Count; i++)
        {
            var one = new BookingRequest(request.ItemId, request.AddressId, starts[i], request.WorkerId, request.Quantity, request.Notes);
            try
            {
                // Later visits prefer the worker of the first one: customers want the same person each time.
                var (order, _) = await PlaceAsync(userId, $"{seriesId}-{i + 1:00}", one, (seriesId, i + 1), worker, mayExist, requestHash: null, ct);
                worker ??= order.Reservation.WorkerId;
                orders.Add(OrderView.Of(order, languageTag));
            }
            catch (AppException e) when (e.Status is StatusCodes.Status409Conflict or StatusCodes.Status400BadRequest)
            {
                var reason = e is ValidationFailedException v ? v.Errors[0].Code : e.Code;
                logger.LogInformation("Series {SeriesId} occurrence {Index} at {Start} not held: {Reason}", seriesId, i + 1, starts[i], reason);
                skipped.Add(new SkippedOccurrence(i + 1, starts[i], reason));
            }
        }

        return new SeriesView(seriesId, request.Frequency!, orders, skipped);
    }

    /// <summary>
    /// Places order <paramref name="orderId"/>; a run resumed under the same id returns the order it already wrote.
    /// <paramref name="mayExist"/> is false for an id minted by this very run (a fresh idempotency record), which no order can have
    /// yet, and for a single booking's id (<paramref name="requestHash"/> given), whose other runs are met on the way (<see cref="BookAsync"/>):
    /// then the look-up is skipped (a concurrent writer of the same id still meets the 409 in <see cref="CreateOrderAsync"/>).
    /// Created is false when another run of the same request wrote the order.
    /// </summary>
    private async Task<(OrderDocument Order, bool Created)> PlaceAsync(
        string userId, string orderId, BookingRequest request, (string Id, int Index)? series, string? preferredWorkerId, bool mayExist,
        string? requestHash, CancellationToken ct)
    {
        if (mayExist && await FindAsync(orderId, ct) is { } existing)
        {
            return (existing, false);
        }

        var service = await candidates.ResolveAsync(userId, request.ItemId!, request.AddressId!, ct);
        var settings = service.Settings;
        var rules = settings.Availability;
        var now = time.GetUtcNow();
        var start = request.Start!.Value.ToUniversalTime();
        CheckStart(start, now, settings);
        var reservation = new Reservation(orderId, start, start.AddMinutes(service.Item.DurationMinutes), service.Location);

        // Auto-assign chooses among the same nearest workers availability showed; a named worker is read whole.
        var day = DateOnly.FromDateTime(ZoneTime.ToLocal(start, settings.Zone));
        var found = request.WorkerId is null
            ? await candidates.NearestAsync(service, day, day, now, ct, forRanking: true, wholeCalendars: true)
            : await candidates.ForAsync(service, request.WorkerId, now, ct);
        if (requestHash is not null && found.SelectMany(c => c.Calendar.Reservations).FirstOrDefault(r => r.OrderId == orderId) is { } trace &&
            (trace.HoldUntil is null || trace.HoldUntil > now))
        {
            // Another run of this request holds (or has confirmed) the order's time. (An expired hold is one that died: the hold below settles it.)
            return await AwaitOtherRunAsync(orderId, requestHash, ct);
        }

        var (ordered, scored) = request.WorkerId is { } designated
            ? ([await DesignatedAsync(designated, found, service, start, now, ct)], null)
            : Ranked(found, service, reservation, now, preferredWorkerId);

        foreach (var candidate in ordered)
        {
            var quote = PriceCalculator.Quote(
                new PriceRequest(service.Item.PriceFen, candidate.OwnPriceFen(service.Item.Id), request.Quantity ?? 1,
                    candidate.Domain.HomeBase.DistanceMetersTo(service.Location), service.Item.ExtraFees.MaterialsFen),
                new TravelFeeRules(service.Item.ExtraFees.Travel.FreeWithinKm, service.Item.ExtraFees.Travel.PerKmFen, service.Item.ExtraFees.Travel.CapFen));
            if (!quote.IsValid)
            {
                throw new ValidationFailedException([.. quote.Errors.Select(e => new FieldError(e.Field, e.Code))]);
            }

            var workerId = candidate.Worker.Id;
            // The hold starts from the calendar the candidates were judged on (when it is the whole document), the confirm
            // from the document the hold wrote: each is a conditional write at that ETag, and a lost one reads and decides again.
            var (outcome, held) = await reservations.HoldAsync(
                workerId, reservation, settings.Travel, service.Item.BufferMinutes, candidate.CalendarComplete ? candidate.Calendar : null, ct,
                ownedByOneRun: requestHash is not null);
            if (outcome == HoldOutcome.AlreadyHeld)
            {
                return await AwaitOtherRunAsync(orderId, requestHash!, ct); // a concurrent run of this request held first
            }

            if (outcome == HoldOutcome.Conflict)
            {
                continue;
            }

            var mode = request.WorkerId is not null ? DispatchMode.Designated
                : settings.DispatchMode == DispatchMode.Designated ? DispatchMode.AutoAssign : settings.DispatchMode;
            var details = new OrderDetails(orderId, userId, service.Address.CityId, service.Item.Id, reservation.Start, reservation.End,
                service.Location, quote.Breakdown!.TotalFen, mode, request.WorkerId);
            var decision = OrderDecider.Decide(new Place(details, settings.Timings, now), OrderDecider.InitialState);
            if (decision.Error is { } error)
            {
                await reservations.ReleaseAsync(workerId, orderId, ct);
                throw new OrderTransitionException(error);
            }

            // The order's orchestration exists before the order does, so there is never an order without one: if it
            // cannot be started, the booking fails before anything is written (and the hold is let go).
            try
            {
                await orchestrations.StartAsync(orderId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(e, "The orchestration of order {OrderId} could not be started; the booking fails", orderId);
                await reservations.ReleaseAsync(workerId, orderId, CancellationToken.None);
                throw new FeatureUnavailableException("service_unavailable");
            }

            var order = new OrderDocument
            {
                Id = orderId,
                CustomerId = userId,
                CityId = service.Address.CityId,
                Status = OrderStatus.None,
                CreatedAt = now,
                CreatedKey = OrderDocument.SortKey(now, orderId),
                SeriesId = series?.Id,
                Occurrence = series?.Index,
                ItemId = service.Item.Id,
                ItemName = service.Item.Name,
                ItemNameTranslations = service.Item.Translations,
                Quantity = request.Quantity ?? 1,
                Notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim(),
                AddressId = service.Address.Id,
                Address = OrderAddress.Of(service.Address),
                Reservation = new OrderReservation(workerId, reservation.Start, reservation.End, reservation.Location, service.Item.BufferMinutes),
                Price = quote.Breakdown,
                State = OrderDecider.InitialState,
                OfferRankings = scored is null ? [] : [OfferRanking.Of(1, now, workerId, scored)],
                RequestHash = requestHash,
            }.Apply(decision.Events, now);

            var (written, created) = await CreateOrderAsync(order, ct);
            if (!created && requestHash is not null)
            {
                // Another run of this request wrote the order first: theirs is the answer. Our hold (the calendar had no entry of the
                // order, see ownedByOneRun) was let go if on another worker; here it is kept only where it is the order's own time.
                if (written.Reservation.WorkerId == workerId)
                {
                    if (written.Status is not (OrderStatus.Cancelled or OrderStatus.Closed) && written.Reservation.Start == reservation.Start && written.Reservation.End == reservation.End)
                    {
                        await reservations.ConfirmAsync(workerId, reservation, settings.Travel, service.Item.BufferMinutes, held, ct);
                    }
                    else
                    {
                        await reservations.ReleaseAsync(workerId, orderId, ct);
                    }
                }

                return (Replayed(written, requestHash), false);
            }

            if (written.Reservation.WorkerId != workerId)
            {
                // A resumed run of this order wrote it first, with another worker: our hold was let go, and confirming here would
                // take that time back for an order that is not there. Their run (or the settling of their expired hold) confirms theirs.
                return (written, false);
            }

            if (!await reservations.ConfirmAsync(workerId, reservation, settings.Travel, service.Item.BufferMinutes, held, ct))
            {
                // Only when this run stalled past the hold and someone took the time meanwhile: the order must not stand without it.
                await CancelUnheldAsync(written, ct);
                throw new ConflictException("slot_taken") { Data = { [OrderWrittenByThisRun] = true } };
            }

            logger.LogInformation("Order {OrderId} placed for {CustomerId} with worker {WorkerId} at {Start}", orderId, userId, workerId, start);
            // The orchestration waits for the order to appear; if this signal is lost it looks again after a grace period.
            await orchestrations.ChangedAsync(orderId, orchestrationMayHaveFinished: false, ct);
            return (written, created);
        }

        throw new ConflictException(request.WorkerId is null ? "no_worker_available" : "slot_taken");
    }

    /// <summary>Creates the order; Created is false when a run of the same id wrote it first (theirs is returned).</summary>
    private async Task<(OrderDocument Order, bool Created)> CreateOrderAsync(OrderDocument order, CancellationToken ct)
    {
        try
        {
            return ((await db.Orders.CreateItemAsync(order, new PartitionKey(order.Id), cancellationToken: ct)).Resource, true);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // A resumed run wrote it first; keep theirs and let go of our hold if it is elsewhere.
            var theirs = (await FindAsync(order.Id, ct))!;
            if (theirs.Reservation.WorkerId != order.Reservation.WorkerId)
            {
                await reservations.ReleaseAsync(order.Reservation.WorkerId, order.Id, ct);
            }

            return (theirs, false);
        }
        catch (Exception)
        {
            await reservations.ReleaseAsync(order.Reservation.WorkerId, order.Id, CancellationToken.None);
            throw;
        }
    }

    private async Task CancelUnheldAsync(OrderDocument order, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var decision = OrderDecider.Decide(new Cancel(Actor.System("booking"), "reservation_lost", 0, 0, now), order.State);
        if (decision.Events.Count > 0)
        {
            await db.Orders.ReplaceItemAsync(order.Apply(decision.Events, now) with { ETag = null }, order.Id, new PartitionKey(order.Id),
                new ItemRequestOptions { IfMatchEtag = order.ETag }, ct);
            await orchestrations.ChangedAsync(order.Id, orchestrationMayHaveFinished: false, ct);
        }
    }

    private async Task<Candidate> DesignatedAsync(
        string workerId, IReadOnlyList<Candidate> found, ServiceRequest service, DateTimeOffset start, DateTimeOffset now, CancellationToken ct)
    {
        if (found.Count == 0)
        {
            _ = await schedules.FindWorkerAsync(workerId, ct) ?? throw ValidationFailedException.For("workerId", "unknown_reference");
            throw new ConflictException("worker_not_available");
        }

        var candidate = found[0];
        var settings = service.Settings;
        var verdict = AvailabilityCalculator.CanWorkerTake(candidate.Domain, service.Spec, service.Location, start, now, settings.Zone, settings.Availability);
        switch (verdict)
        {
            case SlotVerdict.Available:
                return candidate;
            case SlotVerdict.Unavailable:
                var free = candidate.Domain with { Calendar = WorkerCalendar.Empty(workerId) };
                var withoutBookings = AvailabilityCalculator.CanWorkerTake(free, service.Spec, service.Location, start, now, settings.Zone, settings.Availability);
                throw new ConflictException(withoutBookings == SlotVerdict.Available ? "slot_taken" : "outside_working_hours");
            case SlotVerdict.OutsideServiceRadius:
                throw new ConflictException("outside_service_radius");
            default:
                throw new ConflictException("worker_not_available");
        }
    }

    private static (List<Candidate> Ordered, IReadOnlyList<ScoredCandidate> Scored) Ranked(
        IReadOnlyList<Candidate> found, ServiceRequest service, Reservation job, DateTimeOffset now, string? preferred)
    {
        var settings = service.Settings;
        var free = AvailabilityCalculator.WhoCanTake([.. found.Select(c => c.Domain)], service.Spec, service.Location, job.Start, now, settings.Zone, settings.Availability)
            .Select(i => found[i]).ToList();
        if (free.Count == 0)
        {
            throw new ConflictException("no_worker_available");
        }

        var scored = CandidateRanking.Score(free, settings, job, now);
        var ranked = CandidateRanking.InOrder(free, scored);
        if (preferred is not null && ranked.FindIndex(c => c.Worker.Id == preferred) is var at and > 0)
        {
            var first = ranked[at];
            ranked.RemoveAt(at);
            ranked.Insert(0, first);
        }

        return (ranked, scored);
    }

    /// <summary>Rules every start must meet before any worker is considered: on the city's slot grid, after the notice, inside the horizon.</summary>
    public static void CheckStart(DateTimeOffset start, DateTimeOffset now, CitySettings settings)
    {
        var rules = settings.Availability;
        var local = ZoneTime.ToLocal(start, settings.Zone);
        var code = local.Ticks % TimeSpan.TicksPerMinute != 0 || (int)local.TimeOfDay.TotalMinutes % rules.StepMinutes != 0 ? "not_on_slot_grid"
            : start < now.AddMinutes(rules.MinimumNoticeMinutes) ? "too_soon"
            : start >= now.AddDays(rules.HorizonDays) ? "beyond_horizon"
            : null;
        if (code is not null)
        {
            throw ValidationFailedException.For("start", code, rules.StepMinutes, rules.MinimumNoticeMinutes, rules.HorizonDays);
        }
    }

    private static Validator Validate(string? itemId, string? addressId, DateTimeOffset? start, string? workerId, int? quantity, string? notes)
    {
        var v = new Validator().Required("itemId", itemId, 64).Required("addressId", addressId, 64)
            .Check(start is not null, "start", "required")
            .Optional("workerId", workerId, 64)
            .Optional("notes", notes, NotesMaxLength);
        if (quantity is { } q)
        {
            v.Range("quantity", q, 1, PriceCalculator.MaxQuantity);
        }

        return v;
    }
}
