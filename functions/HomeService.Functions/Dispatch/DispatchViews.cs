using System.Globalization;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;

namespace HomeService.Functions.Dispatch;

/// <summary>An order as a worker sees it: where and when, a navigation link, and the offer's deadline while it is open.</summary>
public sealed record WorkerOrderView(
    string Id, OrderStatus Status, string ItemId, string ItemName, int Quantity, string? Notes, DateTimeOffset Start, DateTimeOffset End,
    double Latitude, double Longitude, Uri NavigationUrl, int OfferRound, DateTimeOffset? AcceptBy, bool OfferedToMe, bool AssignedToMe,
    IReadOnlyList<string> CompletionPhotos, string? CompletionNotes)
{
    public static WorkerOrderView Of(OrderDocument o, string workerId)
    {
        var s = o.State;
        return new WorkerOrderView(
            o.Id, o.Status, o.ItemId, o.ItemName, o.Quantity, o.Notes, s.ScheduledStart, s.ScheduledEnd, s.Address.Latitude, s.Address.Longitude,
            Navigation(s.Address.Latitude, s.Address.Longitude, o.ItemName), s.OfferRound,
            s.OfferedToWorkerId == workerId ? s.DeadlineOf(TimerKind.OfferAcceptance)?.DueAt : null,
            s.OfferedToWorkerId == workerId, s.CurrentWorkerId == workerId, s.CompletionPhotos, s.CompletionNotes);
    }

    /// <summary>An AMap (高德) navigation URI; it opens the app or the web map. Coordinates are WGS-84 as stored.</summary>
    public static Uri Navigation(double latitude, double longitude, string name) => new(string.Create(CultureInfo.InvariantCulture,
        $"https://uri.amap.com/navigation?to={longitude},{latitude},{Uri.EscapeDataString(name)}&mode=car&coordinate=wgs84&callnative=1"));
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
    IReadOnlyList<string> DeclinedWorkerIds, DateTimeOffset CreatedAt)
{
    public static AdminOrderView Of(OrderDocument o)
    {
        var s = o.State;
        return new AdminOrderView(o.Id, o.Status, o.CityId, o.CustomerId, o.ItemId, o.ItemName, s.ScheduledStart, s.ScheduledEnd, s.DispatchMode,
            o.Reservation.WorkerId, s.CurrentWorkerId, s.OfferedToWorkerId, s.OfferRound, s.DeclinedWorkerIds, o.CreatedAt);
    }
}
