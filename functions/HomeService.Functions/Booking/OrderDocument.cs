using System.Text.Json.Serialization;
using HomeService.Domain.Booking;
using HomeService.Domain.Common;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Infrastructure.Cosmos;

namespace HomeService.Functions.Booking;

/// <summary>The worker time an order holds; the same interval is an entry in that worker's calendar document.</summary>
public sealed record OrderReservation(string WorkerId, DateTimeOffset Start, DateTimeOffset End, GeoPoint Location, int BufferMinutes)
{
    public Reservation ToDomain(string orderId) => new(orderId, Start, End, Location);
}

/// <summary>
/// The address as it was when the order was placed (the customer may later edit or delete the address itself): who to
/// ask for, their phone, the street and the point. Workers see it only once they have accepted (<see cref="Dispatch.WorkerOrderViews"/>).
/// </summary>
public sealed record OrderAddress(string ContactName, string ContactPhone, string CityId, string? District, string Detail, double Latitude, double Longitude)
{
    public static OrderAddress Of(Customers.AddressDocument a) => new(a.ContactName, a.ContactPhone, a.CityId, a.District, a.Detail, a.Latitude, a.Longitude);
}

/// <summary>An admin let this order's visit steps through outside the visit rules (<see cref="VisitRules"/>): who, why, when.</summary>
public sealed record VisitExemption(string AdminId, string Reason, DateTimeOffset At);

/// <summary>A reschedule between its calendar move and the order write; see <see cref="OrderChanges"/>.</summary>
public sealed record PendingReschedule(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset RequestedAt);

public sealed record RescheduleRecord(DateTimeOffset FromStart, DateTimeOffset ToStart, DateTimeOffset At);

/// <summary>
/// An order, in `orders` (pk /id). <see cref="State"/> is the decider's state; <see cref="Status"/>, <see cref="CustomerId"/>
/// and <see cref="CreatedKey"/> are copied to the top for queries. <see cref="History"/> is every event in order: the
/// order's orchestration handles each by its position (<see cref="Orders.OrderOrchestrator"/>).
/// </summary>
public sealed record OrderDocument
{
    public const string Kind = "order";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string CustomerId { get; init; }
    public required string CityId { get; init; }
    public required OrderStatus Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Unique, time-ordered key for keyset paging of a customer's orders.</summary>
    public required string CreatedKey { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? SeriesId { get; init; }
    public int? Occurrence { get; init; }
    /// <summary>
    /// A single booking's request hash (<see cref="IdempotencyRecords.Hash"/>): its id comes from the customer's Idempotency-Key
    /// (<see cref="BookingService.OrderIdFor"/>), and a replay of the key with another body is refused. Null for series occurrences.
    /// </summary>
    public string? RequestHash { get; init; }
    public required string ItemId { get; init; }
    public required string ItemName { get; init; }
    /// <summary>The item name's translations at booking (the order shows the name it was booked under, in the reader's language).</summary>
    public Dictionary<string, string>? ItemNameTranslations { get; init; }

    /// <summary><see cref="ItemName"/> in <paramref name="languageTag"/> when it was translated, else as written.</summary>
    public string ItemNameIn(string languageTag) => HomeService.Domain.Catalog.Localization.Pick(ItemName, ItemNameTranslations, languageTag);
    public required int Quantity { get; init; }
    public string? Notes { get; init; }
    public required string AddressId { get; init; }
    /// <summary>The address frozen at booking; null only on orders placed before snapshots were kept.</summary>
    public OrderAddress? Address { get; init; }
    public required OrderReservation Reservation { get; init; }
    /// <summary>
    /// Workers whose time this order held before <see cref="Reservation"/> moved to someone else. Their calendars must not keep
    /// the order: released right after the move and again by the move's event reaction (a run that died in between).
    /// </summary>
    public IReadOnlyList<string> FormerHolderIds { get; init; } = [];
    public required PriceBreakdown Price { get; init; }
    public required OrderState State { get; init; }
    public IReadOnlyList<OrderEvent> History { get; init; } = [];
    public PendingReschedule? PendingReschedule { get; init; }
    public IReadOnlyList<RescheduleRecord> Reschedules { get; init; } = [];
    public CancellationQuote? Cancellation { get; init; }
    /// <summary>The customer's review once given (<see cref="Reviews.OrderReviews"/>); at most one, never edited.</summary>
    public Reviews.OrderReview? Review { get; init; }
    /// <summary>Set by an admin (audited) when the worker may report arrive / start / complete outside the city's visit rules.</summary>
    public VisitExemption? VisitExemption { get; init; }
    /// <summary>Each auto-dispatch offer's ranking: the best candidates with their score's terms (booking's for round 1, re-dispatch's after).</summary>
    public IReadOnlyList<Dispatch.OfferRanking> OfferRankings { get; init; } = [];

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    /// <summary>
    /// The document after the decider's events: state, status copy and history in one value, written with one If-Match
    /// replace. What the events cause outside the document (messages, reactions, timers) is the orchestration's to do.
    /// </summary>
    public OrderDocument Apply(IReadOnlyList<OrderEvent> events, DateTimeOffset now)
    {
        var state = OrderDecider.Evolve(State, events);
        return this with { State = state, Status = state.Status, History = [.. History, .. events], UpdatedAt = now };
    }

    /// <summary>The same document with its reservation handed to <paramref name="workerId"/> (same times), the previous holder remembered.</summary>
    public OrderDocument HeldBy(string workerId)
    {
        var previous = Reservation.WorkerId;
        return previous == workerId
            ? this
            : this with
            {
                Reservation = Reservation with { WorkerId = workerId },
                FormerHolderIds = [.. FormerHolderIds.Where(id => id != workerId && id != previous), previous],
            };
    }

    public static string SortKey(DateTimeOffset createdAt, string id) => CosmosExtensions.TimeSortKey(createdAt, id);
}

public sealed record OrderView(
    string Id, OrderStatus Status, DateTimeOffset Start, DateTimeOffset End, string WorkerId, PriceBreakdown Price,
    string ItemId, string ItemName, int Quantity, string? Notes, string CityId, string AddressId, DateTimeOffset CreatedAt,
    DateTimeOffset? PaymentDueAt, string? SeriesId, int? Occurrence, CancellationQuote? Cancellation, bool RescheduleInProgress,
    Reviews.OrderReviewView? Review = null, OrderAddress? Address = null)
{
    public static OrderView Of(OrderDocument o, string languageTag) => new(
        o.Id, o.Status, o.Reservation.Start, o.Reservation.End, o.Reservation.WorkerId, o.Price, o.ItemId, o.ItemNameIn(languageTag), o.Quantity, o.Notes,
        o.CityId, o.AddressId, o.CreatedAt, o.State.DeadlineOf(TimerKind.PaymentTimeout)?.DueAt, o.SeriesId, o.Occurrence, o.Cancellation,
        o.PendingReschedule is not null, Reviews.OrderReviewView.Of(o.Review), o.Address);
}
