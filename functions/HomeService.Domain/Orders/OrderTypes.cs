using HomeService.Domain.Common;

namespace HomeService.Domain.Orders;

/// <summary>Where an order is in its life. <see cref="None"/> is the state before <see cref="Place"/>.</summary>
public enum OrderStatus
{
    None = 0,
    PendingPayment,
    Dispatching,
    Offered,
    Accepted,
    OnTheWay,
    Arrived,
    InService,
    Completed,
    Confirmed,
    Settled,
    Cancelled,
    Closed,
    ManualDispatch,
    Refunding,
    Refunded,
    AfterSale,
}

public enum DispatchMode
{
    Designated,
    AutoAssign,
    GrabPool,
}

/// <summary>The durable timers an order can be waiting on.</summary>
public enum TimerKind
{
    PaymentTimeout,
    OfferAcceptance,
    ReminderT24h,
    ReminderT2h,
    AutoConfirm,
    SettlementDue,
    /// <summary>Grab pool: nobody grabbed the order within acceptance timeout × offer rounds of its payment.</summary>
    GrabPoolExpiry,
}

public enum ReminderKind
{
    T24h,
    T2h,
}

public enum ActorRole
{
    Customer,
    Worker,
    Admin,
    System,
}

/// <summary>Who issued a command; <see cref="Id"/> is the user id (or a system component name).</summary>
public sealed record Actor(ActorRole Role, string Id)
{
    public static Actor System(string component) => new(ActorRole.System, component);
}

/// <summary>A pending timer: the app schedules a queue message for <see cref="DueAt"/>.</summary>
public sealed record Deadline(TimerKind Kind, DateTimeOffset DueAt);

/// <summary>
/// The per-city timings an order is placed under. The order keeps its own copy, so a city
/// changing its settings never moves the deadlines of orders already running.
/// </summary>
public sealed record LifecycleTimings(
    TimeSpan PaymentTimeout,
    TimeSpan AcceptanceTimeout,
    int MaxOfferRounds,
    TimeSpan AutoConfirmAfter,
    TimeSpan ComplaintWindow,
    TimeSpan FirstReminderBefore,
    TimeSpan SecondReminderBefore)
{
    public static LifecycleTimings Default { get; } = new(
        PaymentTimeout: TimeSpan.FromMinutes(15),
        AcceptanceTimeout: TimeSpan.FromMinutes(5),
        MaxOfferRounds: 3,
        AutoConfirmAfter: TimeSpan.FromHours(24),
        ComplaintWindow: TimeSpan.FromHours(72),
        FirstReminderBefore: TimeSpan.FromHours(24),
        SecondReminderBefore: TimeSpan.FromHours(2));

    public bool IsValid =>
        PaymentTimeout > TimeSpan.Zero && AcceptanceTimeout > TimeSpan.Zero && MaxOfferRounds >= 1 &&
        AutoConfirmAfter > TimeSpan.Zero && ComplaintWindow >= TimeSpan.Zero &&
        FirstReminderBefore > TimeSpan.Zero && SecondReminderBefore > TimeSpan.Zero;

    /// <summary>How long a paid grab-pool order stays in the pool: as long as the offer rounds of auto-assign would take.</summary>
    public TimeSpan GrabPoolWindow => AcceptanceTimeout * MaxOfferRounds;

    public TimeSpan ReminderLead(ReminderKind kind) =>
        kind == ReminderKind.T24h ? FirstReminderBefore : SecondReminderBefore;
}

/// <summary>What the customer booked; fixed once the order is placed.</summary>
public sealed record OrderDetails(
    string OrderId,
    string CustomerId,
    string CityId,
    string ItemId,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduledEnd,
    GeoPoint Address,
    long PriceTotalFen,
    DispatchMode DispatchMode,
    string? DesignatedWorkerId);
