using System.Globalization;
using HomeService.Domain.Orders;
using HomeService.Domain.Common;
using HomeService.Functions.Booking;
using HomeService.Functions.Scheduling;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Dispatch;

/// <summary>
/// An order as a worker sees it. Before they accept (an offer, the grab pool) only the district and how far it is from
/// their base; once it is theirs and until the service is completed, the address: contact, street, point, the customer's
/// notes, a navigation link, and the phone as a privacy number (or masked where no privacy-number service is configured).
/// </summary>
public sealed record WorkerOrderView(
    string Id, OrderStatus Status, string ItemId, string ItemName, int Quantity, string? Notes, DateTimeOffset Start, DateTimeOffset End,
    double? Latitude, double? Longitude, Uri? NavigationUrl, int OfferRound, DateTimeOffset? AcceptBy, bool OfferedToMe, bool AssignedToMe,
    IReadOnlyList<string> CompletionPhotos, string? CompletionNotes, string? District, double? DistanceKm, WorkerContactView? Contact)
{
    /// <summary>The statuses in which the order's worker sees where to go and whom to call.</summary>
    public static bool ShowsAddress(OrderDocument o, string workerId) =>
        o.State.CurrentWorkerId == workerId && o.Status is OrderStatus.Accepted or OrderStatus.OnTheWay or OrderStatus.Arrived or OrderStatus.InService;

    /// <param name="from">The worker's base, for the distance.</param>
    /// <param name="phone">The privacy number bound for this worker, when there is one.</param>
    public static WorkerOrderView Of(OrderDocument o, string workerId, GeoPoint? from, PrivacyNumber? phone, string languageTag)
    {
        var s = o.State;
        var address = ShowsAddress(o, workerId);
        var distance = from is { } f ? Math.Round(f.DistanceMetersTo(s.Address) / 1000, 1, MidpointRounding.AwayFromZero) : (double?)null;
        WorkerContactView? contact = address && o.Address is { } a
            ? new WorkerContactView(a.ContactName, phone?.Number ?? MaskPhone(a.ContactPhone), phone is null, phone?.ExpiresAt, a.Detail)
            : null;
        return new WorkerOrderView(
            o.Id, o.Status, o.ItemId, o.ItemNameIn(languageTag), o.Quantity, address ? o.Notes : null, s.ScheduledStart, s.ScheduledEnd,
            address ? s.Address.Latitude : null, address ? s.Address.Longitude : null,
            address ? Navigation(s.Address.Latitude, s.Address.Longitude, o.ItemName) : null, s.OfferRound,
            s.OfferedToWorkerId == workerId ? s.DeadlineOf(TimerKind.OfferAcceptance)?.DueAt : null,
            s.OfferedToWorkerId == workerId, s.CurrentWorkerId == workerId, s.CompletionPhotos, s.CompletionNotes,
            o.Address?.District, distance, contact);
    }

    /// <summary>138****5678: the first three and last four digits of a mainland number (E.164 or national).</summary>
    public static string MaskPhone(string phone)
    {
        var national = phone.StartsWith("+86", StringComparison.Ordinal) ? phone[3..] : phone;
        return national.Length >= 7 ? $"{national[..3]}****{national[^4..]}" : "****";
    }

    /// <summary>An AMap (高德) navigation URI; it opens the app or the web map. Coordinates are WGS-84 as stored.</summary>
    public static Uri Navigation(double latitude, double longitude, string name) => new(string.Create(CultureInfo.InvariantCulture,
        $"https://uri.amap.com/navigation?to={longitude},{latitude},{Uri.EscapeDataString(name)}&mode=car&coordinate=wgs84&callnative=1"));
}

/// <param name="Phone">The privacy number to dial (<paramref name="PhoneMasked"/> false) or the customer's phone masked.</param>
/// <param name="PhoneValidUntil">Until when the privacy number reaches the customer.</param>
public sealed record WorkerContactView(string ContactName, string Phone, bool PhoneMasked, DateTimeOffset? PhoneValidUntil, string Detail);

/// <summary>Builds <see cref="WorkerOrderView"/>s: the worker's base for distances, a privacy number for their active orders.</summary>
public sealed class WorkerOrderViews(WorkerSchedules schedules, IPrivacyNumbers privacyNumbers, IOptions<PrivacyNumberOptions> options)
{
    public async Task<WorkerOrderView> OfAsync(OrderDocument order, string workerId, string languageTag, CancellationToken ct) =>
        (await OfAsync([order], workerId, languageTag, ct))[0];

    public async Task<IReadOnlyList<WorkerOrderView>> OfAsync(IReadOnlyList<OrderDocument> orders, string workerId, string languageTag, CancellationToken ct)
    {
        if (orders.Count == 0)
        {
            return [];
        }

        var from = (await schedules.FindWorkerAsync(workerId, ct))?.HomeBase?.ToPoint();
        var views = new List<WorkerOrderView>(orders.Count);
        foreach (var order in orders)
        {
            PrivacyNumber? phone = null;
            if (WorkerOrderView.ShowsAddress(order, workerId) && order.Address is { } address)
            {
                var until = order.State.ScheduledEnd.AddMinutes(options.Value.ValidMinutesAfterEnd);
                phone = await privacyNumbers.BindAsync(new PrivacyBinding(order.Id, workerId, address.ContactPhone, until), ct);
            }

            views.Add(WorkerOrderView.Of(order, workerId, from, phone, languageTag));
        }

        return views;
    }
}

/// <summary>What the customer sees while waiting: the status, and the worker's last position and ETA while they are on the way.</summary>
public sealed record TrackingView(
    string OrderId, OrderStatus Status, DateTimeOffset Start, DateTimeOffset End, string? WorkerId, double? Latitude, double? Longitude,
    DateTimeOffset? Eta)
{
    public static TrackingView Of(OrderDocument o)
    {
        var s = o.State;
        var travelling = s.Status == OrderStatus.OnTheWay && s.LastKnownLocation is not null;
        return new TrackingView(o.Id, o.Status, s.ScheduledStart, s.ScheduledEnd, s.CurrentWorkerId,
            travelling ? s.LastKnownLocation!.Value.Latitude : null, travelling ? s.LastKnownLocation!.Value.Longitude : null,
            travelling ? s.Eta : null);
    }
}

/// <summary>An order as operators see it when dispatching by hand.</summary>
public sealed record AdminOrderView(
    string Id, OrderStatus Status, string CityId, string CustomerId, string ItemId, string ItemName, DateTimeOffset Start, DateTimeOffset End,
    DispatchMode DispatchMode, string HeldWorkerId, string? CurrentWorkerId, string? OfferedToWorkerId, int OfferRound,
    IReadOnlyList<string> DeclinedWorkerIds, DateTimeOffset CreatedAt, VisitExemption? VisitExemption, OrderAddress? Address,
    IReadOnlyList<OfferRanking> OfferRankings)
{
    public static AdminOrderView Of(OrderDocument o)
    {
        var s = o.State;
        return new AdminOrderView(o.Id, o.Status, o.CityId, o.CustomerId, o.ItemId, o.ItemName, s.ScheduledStart, s.ScheduledEnd, s.DispatchMode,
            o.Reservation.WorkerId, s.CurrentWorkerId, s.OfferedToWorkerId, s.OfferRound, s.DeclinedWorkerIds, o.CreatedAt, o.VisitExemption, o.Address, o.OfferRankings);
    }
}
