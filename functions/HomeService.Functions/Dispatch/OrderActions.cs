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

public sealed record CompleteRequest(IReadOnlyList<string>? PhotoUploadIds, string? Notes);

public sealed record AfterSaleRequest(string? Reason);

public sealed record AssignRequest(string? WorkerId);

public sealed record ReassignRequest(string? WorkerId, string? Reason);

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
        var v = new Validator()
            .Check(request.Latitude is not null, "latitude", "required")
            .Check(request.Longitude is not null, "longitude", "required");
        v.ThrowIfInvalid();
        v.Check(GeoPoint.IsValid(request.Latitude!.Value, request.Longitude!.Value), "latitude", "invalid").ThrowIfInvalid();
        var order = await ForWorkerAsync(workerId, orderId, ct);
        var travel = (await cities.GetAsync(order.CityId, ct)).Travel;
        var here = new GeoPoint(request.Latitude.Value, request.Longitude.Value);
        var eta = TimeSpan.FromMinutes(travel.MinutesBetween(here, order.State.Address));
        return await lifecycle.ExecuteAsync(orderId, (_, now) => start
            ? new StartTrip(workerId, here, now + eta, now)
            : new UpdateLocation(workerId, here, now + eta, now), ct);
    }

    /// <summary>Complete with 1–9 confirmed completion photos the worker uploaded (Blob SAS) and optional notes.</summary>
    public async Task<OrderDocument> CompleteAsync(string workerId, string orderId, CompleteRequest request, CancellationToken ct)
    {
        var ids = request.PhotoUploadIds ?? [];
        var v = new Validator()
            .Check(ids.Count is >= 1 and <= MaxPhotos, "photoUploadIds", "out_of_range", 1, MaxPhotos)
            .Check(ids.Distinct(StringComparer.Ordinal).Count() == ids.Count, "photoUploadIds", "invalid")
            .Optional("notes", request.Notes, NotesMaxLength);
        v.ThrowIfInvalid();
        await ForWorkerAsync(workerId, orderId, ct);
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
        return await lifecycle.ExecuteAsync(orderId, (_, now) => new Complete(workerId, blobs, notes, now), ct);
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
