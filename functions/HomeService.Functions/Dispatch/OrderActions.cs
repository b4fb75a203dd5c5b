using System.Globalization;
using System.Text.Json;
using HomeService.Domain.Common;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Uploads;

namespace HomeService.Functions.Dispatch;

public sealed record RejectRequest(string? Reason);

public sealed record LocationRequest(double? Latitude, double? Longitude);

/// <param name="Latitude">Where the worker completes from (required: the visit rules check it against the address).</param>
public sealed record CompleteRequest(IReadOnlyList<string>? PhotoUploadIds, string? Notes, double? Latitude = null, double? Longitude = null);

public sealed record AfterSaleRequest(string? Reason);

public sealed record AssignRequest(string? WorkerId);

public sealed record ReassignRequest(string? WorkerId, string? Reason);

public sealed record VisitExemptionRequest(string? Reason);

/// <summary>
/// What workers, customers and admins do to a dispatched order. Every action is one command through
/// <see cref="OrderLifecycle"/>: a repeat decides nothing (so a retried POST is harmless without an idempotency key),
/// a wrong state is a 409 naming it, a wrong actor a 403. An order the caller has nothing to do with is a 404.
/// </summary>
public sealed class OrderActions(
    OrderLifecycle lifecycle, Handover handover, Candidates candidates, CitySettingsStore cities, UploadStore uploads, TimeProvider time)
{
    public const int MaxPhotos = 9;
    public const int ReasonMaxLength = 200;
    public const int NotesMaxLength = 1000;

    /// <summary>The order, if the worker is or was part of it (offered, assigned, declined, holding its time); else 404.</summary>
    public async Task<OrderDocument> ForWorkerAsync(string workerId, string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        var s = order?.State;
        if (order is null || !(order.Reservation.WorkerId == workerId || s!.CurrentWorkerId == workerId || s.OfferedToWorkerId == workerId ||
                               s.DeclinedWorkerIds.Contains(workerId) || order.FormerHolderIds.Contains(workerId)))
        {
            throw new NotFoundException("res.order", orderId);
        }

        return order;
    }

    public async Task<OrderDocument> ForCustomerAsync(string customerId, string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        return order is not null && order.CustomerId == customerId ? order : throw new NotFoundException("res.order", orderId);
    }

    public async Task<OrderDocument> WorkerAsync(string workerId, string orderId, Func<DateTimeOffset, OrderCommand> command, CancellationToken ct)
    {
        await ForWorkerAsync(workerId, orderId, ct);
        return await lifecycle.ExecuteAsync(orderId, (_, now) => command(now), ct);
    }

    public async Task<OrderDocument> RejectAsync(string workerId, string orderId, RejectRequest request, CancellationToken ct)
    {
        new Validator().Required("reason", request.Reason, ReasonMaxLength).ThrowIfInvalid();
        return await WorkerAsync(workerId, orderId, now => new Reject(workerId, request.Reason!.Trim(), now), ct);
    }

    /// <summary>On the way (or a position update while on the way): the ETA comes from the distance with the city's travel rules.</summary>
    public async Task<OrderDocument> TravelAsync(string workerId, string orderId, LocationRequest request, bool start, CancellationToken ct)
    {
        var v = new Validator();
        var here = Location(v, request.Latitude, request.Longitude);
        v.ThrowIfInvalid();
        var order = await ForWorkerAsync(workerId, orderId, ct);
        var travel = (await cities.GetAsync(order.CityId, ct)).Travel;
        var eta = TimeSpan.FromMinutes(travel.MinutesBetween(here, order.State.Address));
        return await lifecycle.ExecuteAsync(orderId, (_, now) => start
            ? new StartTrip(workerId, here, now + eta, now)
            : new UpdateLocation(workerId, here, now + eta, now), ct);
    }

    /// <summary>Arrived or started, reported from where the worker is (<see cref="VisitRules"/>).</summary>
    public async Task<OrderDocument> VisitAsync(string workerId, string orderId, VisitStep step, LocationRequest? request, CancellationToken ct)
    {
        var order = await ForWorkerAsync(workerId, orderId, ct);
        var v = new Validator();
        var here = Location(v, request?.Latitude, request?.Longitude);
        v.ThrowIfInvalid();
        return await ReportVisitAsync(order, workerId, step, here, (now, evidence) => step == VisitStep.Arrive
            ? new Arrive(workerId, now, evidence)
            : new StartService(workerId, now, evidence), ct);
    }

    /// <summary>Complete with 1–9 confirmed completion photos the worker uploaded (Blob SAS) and optional notes, at the address.</summary>
    public async Task<OrderDocument> CompleteAsync(string workerId, string orderId, CompleteRequest request, CancellationToken ct)
    {
        var ids = request.PhotoUploadIds ?? [];
        var v = new Validator()
            .Check(ids.Count is >= 1 and <= MaxPhotos, "photoUploadIds", "out_of_range", 1, MaxPhotos)
            .Check(ids.Distinct(StringComparer.Ordinal).Count() == ids.Count, "photoUploadIds", "invalid")
            .Optional("notes", request.Notes, NotesMaxLength);
        var here = Location(v, request.Latitude, request.Longitude);
        v.ThrowIfInvalid();
        var order = await ForWorkerAsync(workerId, orderId, ct);
        var blobs = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            // Another user's upload id is simply not found in this worker's partition.
            var upload = await uploads.FindAsync(workerId, ids[i] ?? "", ct);
            v.Check(upload is { Kind: UploadKinds.CompletionPhoto, Status: UploadStatus.Confirmed }, $"photoUploadIds[{i}]", "unknown_reference");
            if (upload is not null)
            {
                blobs.Add(upload.BlobName);
            }
        }

        v.ThrowIfInvalid();
        var notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim();
        return await ReportVisitAsync(order, workerId, VisitStep.Complete, here, (now, evidence) => new Complete(workerId, blobs, notes, now, evidence), ct);
    }

    /// <summary>
    /// Runs a visit step if the city's visit rules allow it now and from <paramref name="here"/>, else 409 naming the rule.
    /// A step the order's state refuses (or a repeat) goes to the lifecycle unchecked, which answers it as it always has.
    /// </summary>
    private async Task<OrderDocument> ReportVisitAsync(
        OrderDocument order, string workerId, VisitStep step, GeoPoint here, Func<DateTimeOffset, VisitEvidence?, OrderCommand> command, CancellationToken ct)
    {
        var city = await cities.GetAsync(order.CityId, ct);
        return await lifecycle.ExecuteAsync(order.Id, (current, now) =>
        {
            var plain = command(now, null);
            var probe = OrderDecider.Decide(plain, current.State);
            if (probe.Error is not null || probe.Events.Count == 0)
            {
                return plain;
            }

            var s = current.State;
            var (evidence, violation) = VisitRules.Check(
                city.Visit, step, s.ScheduledStart, s.ScheduledEnd, s.Address, here, now, current.VisitExemption?.AdminId);
            return violation is null ? command(now, evidence) : throw Refused(violation, city.Zone);
        }, ct);
    }

    private static ConflictException Refused(VisitViolation violation, TimeZoneInfo zone)
    {
        var step = "res.visit." + JsonNamingPolicy.CamelCase.ConvertName(violation.Step.ToString());
        string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var refused = violation.Rule == VisitRule.TimeWindow
            ? new ConflictException(violation.Code, step, Local(violation.AllowedFrom), Local(violation.AllowedTo))
            : new ConflictException(violation.Code, violation.DistanceMeters, step, violation.GeofenceMeters);
        refused.Details["rule"] = JsonNamingPolicy.CamelCase.ConvertName(violation.Rule.ToString());
        refused.Details["step"] = JsonNamingPolicy.CamelCase.ConvertName(violation.Step.ToString());
        refused.Details["allowedFrom"] = violation.AllowedFrom;
        refused.Details["allowedTo"] = violation.AllowedTo;
        refused.Details["distanceMeters"] = violation.DistanceMeters;
        refused.Details["geofenceMeters"] = violation.GeofenceMeters;
        return refused;
    }

    /// <summary>
    /// An admin lets this order's remaining visit steps through outside the visit rules (the customer moved the visit by
    /// phone, the worker's GPS is off): kept on the order and in the admin audit; each step still records where it was
    /// reported from and who exempted it. The first exemption stands; a repeat changes nothing.
    /// </summary>
    public async Task<OrderDocument> ExemptVisitAsync(string adminId, string orderId, VisitExemptionRequest request, CancellationToken ct)
    {
        new Validator().Required("reason", request.Reason, ReasonMaxLength).ThrowIfInvalid();
        return await lifecycle.AmendAsync(orderId, (order, now) =>
        {
            if (order.State.Status is not (OrderStatus.Accepted or OrderStatus.OnTheWay or OrderStatus.Arrived or OrderStatus.InService))
            {
                throw new ConflictException("visit_not_in_progress", JsonNamingPolicy.CamelCase.ConvertName(order.State.Status.ToString()));
            }

            return order.VisitExemption is not null ? null : order with { VisitExemption = new VisitExemption(adminId, request.Reason!.Trim(), now) };
        }, ct);
    }

    /// <summary>A reported position: both coordinates required and on the globe.</summary>
    private static GeoPoint Location(Validator v, double? latitude, double? longitude)
    {
        v.Check(latitude is not null, "latitude", "required").Check(longitude is not null, "longitude", "required");
        if (latitude is not { } lat || longitude is not { } lon)
        {
            return default;
        }

        v.Check(GeoPoint.IsValid(lat, lon), "latitude", "invalid");
        return new GeoPoint(lat, lon);
    }

    public async Task<OrderDocument> CustomerAsync(string customerId, string orderId, Func<DateTimeOffset, OrderCommand> command, CancellationToken ct)
    {
        await ForCustomerAsync(customerId, orderId, ct);
        return await lifecycle.ExecuteAsync(orderId, (_, now) => command(now), ct);
    }

    public async Task<OrderDocument> AfterSaleAsync(string customerId, string orderId, AfterSaleRequest request, CancellationToken ct)
    {
        new Validator().Required("reason", request.Reason, ReasonMaxLength).ThrowIfInvalid();
        return await CustomerAsync(customerId, orderId, now => new OpenAfterSale(customerId, request.Reason!.Trim(), now), ct);
    }

    /// <summary>Admin assignment (from Dispatching, Offered or ManualDispatch): the new worker's time is held before the old one's is released.</summary>
    public async Task<OrderDocument> AssignAsync(string adminId, string orderId, AssignRequest request, CancellationToken ct)
    {
        new Validator().Required("workerId", request.WorkerId, 64).ThrowIfInvalid();
        var workerId = request.WorkerId!;
        var order = await EligibleForAsync(orderId, workerId, ct);
        return await MoveAsync(order, workerId, (_, now) => new AssignByAdmin(adminId, workerId, now), ct);
    }

    /// <summary>Admin reassignment of an accepted (or on-the-way) order, same hold-before-release order.</summary>
    public async Task<OrderDocument> ReassignAsync(string adminId, string orderId, ReassignRequest request, CancellationToken ct)
    {
        new Validator().Required("workerId", request.WorkerId, 64).Required("reason", request.Reason, ReasonMaxLength).ThrowIfInvalid();
        var workerId = request.WorkerId!;
        var order = await EligibleForAsync(orderId, workerId, ct);
        return await MoveAsync(order, workerId, (_, now) => new Reassign(adminId, workerId, request.Reason!.Trim(), now), ct);
    }

    private async Task<OrderDocument> MoveAsync(OrderDocument order, string workerId, Func<OrderDocument, DateTimeOffset, OrderCommand> command, CancellationToken ct)
    {
        // Ask the decider first so a wrong state answers 409 without touching anyone's calendar.
        var probe = OrderDecider.Decide(command(order, time.GetUtcNow()), order.State);
        if (probe.Error is { } error)
        {
            throw new OrderTransitionException(error);
        }

        var (outcome, written) = await handover.MoveAsync(order, workerId, command, ct);
        return outcome == HandoverOutcome.SlotTaken ? throw new ConflictException("slot_taken") : written;
    }

    /// <summary>Admins may override working hours and distance, not the basics: an approved worker of the city who offers the item.</summary>
    private async Task<OrderDocument> EligibleForAsync(string orderId, string workerId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct) ?? throw new NotFoundException("res.order", orderId);
        var found = await candidates.ForAsync(order.CityId, order.ItemId, workerId, time.GetUtcNow(), ct);
        if (found.Count == 0)
        {
            throw ValidationFailedException.For("workerId", "worker_not_eligible");
        }

        return order;
    }
}
