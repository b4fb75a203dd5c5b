using HomeService.Domain.Common;
using HomeService.Domain.Orders;
using Xunit.Sdk;
using static HomeService.Domain.Orders.OrderStatus;

namespace HomeService.Domain.Tests.Orders;

/// <summary>Orders in every status, reached by running real commands through the decider.</summary>
internal static class Given
{
    public const string OrderId = "o-1";
    public const string CustomerId = "c-1";
    public const string Worker = "w-1";
    public const string OtherWorker = "w-2";
    public const string ThirdWorker = "w-3";
    public const string AdminId = "a-1";
    public const long Price = 19_900;

    public static readonly DateTimeOffset T0 = new(2030, 3, 1, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Start = T0.AddDays(3);
    public static readonly DateTimeOffset End = Start.AddHours(2);
    public static readonly DateTimeOffset PaidAt = T0.AddMinutes(5);
    public static readonly DateTimeOffset OfferedAt = T0.AddMinutes(6);
    public static readonly DateTimeOffset AcceptedAt = T0.AddMinutes(7);
    public static readonly DateTimeOffset TripAt = Start.AddHours(-3);
    public static readonly DateTimeOffset ArrivedAt = Start.AddMinutes(-5);
    public static readonly DateTimeOffset ConfirmedAt = End.AddHours(1);
    public static readonly DateTimeOffset SettlementDueAt = ConfirmedAt.AddHours(72);

    public static readonly GeoPoint Home = new(31.2304, 121.4737);
    public static readonly GeoPoint OnTheRoad = new(31.2200, 121.4500);

    public static readonly Actor Customer = new(ActorRole.Customer, CustomerId);
    public static readonly Actor Admin = new(ActorRole.Admin, AdminId);

    public static OrderDetails Details(DispatchMode mode = DispatchMode.AutoAssign, DateTimeOffset? start = null)
    {
        var s = start ?? Start;
        return new OrderDetails(OrderId, CustomerId, "city-sh", "item-clean-2h", s, s.AddHours(2), Home, Price, mode,
            mode == DispatchMode.Designated ? Worker : null);
    }

    public static Place Place(DispatchMode mode = DispatchMode.AutoAssign, LifecycleTimings? timings = null, DateTimeOffset? start = null) =>
        new(Details(mode, start), timings ?? LifecycleTimings.Default, T0);

    public static ConfirmPayment Pay => new("pay-1", Price, PaidAt);

    public static OrderState Placed(DispatchMode mode = DispatchMode.AutoAssign) => OrderState.Initial.Then(Place(mode));

    public static OrderState InStatus(OrderStatus status, DispatchMode mode = DispatchMode.AutoAssign) => status switch
    {
        None => OrderState.Initial,
        PendingPayment => Placed(mode),
        Dispatching => Placed(mode).Then(Pay),
        Offered => InStatus(Dispatching, mode).Then(new Offer(Worker, 1, OfferedAt)),
        Accepted => InStatus(Offered, mode).Then(new Accept(Worker, AcceptedAt)),
        OnTheWay => InStatus(Accepted, mode).Then(new StartTrip(Worker, OnTheRoad, Start, TripAt)),
        Arrived => InStatus(OnTheWay, mode).Then(new Arrive(Worker, ArrivedAt)),
        InService => InStatus(Arrived, mode).Then(new StartService(Worker, Start)),
        Completed => InStatus(InService, mode).Then(new Complete(Worker, ["uploads/o-1/after.jpg"], "kitchen done", End)),
        Confirmed => InStatus(Completed, mode).Then(new Confirm(CustomerId, ConfirmedAt)),
        Settled => InStatus(Confirmed, mode).Then(new SettlementDue(SettlementDueAt)).Then(new MarkSettled("s-1", SettlementDueAt.AddDays(1))),
        Cancelled => Placed(mode).Then(new Cancel(Customer, "changed my mind", 0, 0, T0.AddMinutes(2))),
        Closed => Placed(mode).Then(new PaymentTimedOut(T0.AddMinutes(15))),
        ManualDispatch => InStatus(Dispatching, mode).Then(new EscalateToManual("no candidates nearby", OfferedAt)),
        AfterSale => InStatus(Completed, mode).Then(new OpenAfterSale(CustomerId, "stain left on the sofa", ConfirmedAt)),
        Refunding => InStatus(AfterSale, mode).Then(new RequestRefund(Admin, Price, "redo refused", ConfirmedAt.AddHours(1))),
        Refunded => InStatus(Refunding, mode).Then(new RefundSucceeded("r-1", Price, ConfirmedAt.AddHours(2))),
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Offered in round <paramref name="round"/>, each earlier round rejected by a different worker.</summary>
    public static OrderState OfferedInRound(int round)
    {
        var state = InStatus(Dispatching);
        for (var r = 1; r < round; r++)
        {
            state = state.Then(new Offer($"w-r{r}", r, OfferedAt)).Then(new Reject($"w-r{r}", "too far", OfferedAt.AddMinutes(1)));
        }

        return state.Then(new Offer($"w-r{round}", round, OfferedAt));
    }

    /// <summary>A served order of which part was refunded after an after-sale case.</summary>
    public static OrderState PartiallyRefunded(long refundFen = 5_000) =>
        InStatus(AfterSale)
            .Then(new RequestRefund(Admin, refundFen, "one room not cleaned", ConfirmedAt.AddHours(1)))
            .Then(new RefundSucceeded("r-1", refundFen, ConfirmedAt.AddHours(2)));

    /// <summary>Decides and applies <paramref name="command"/>; fails the test if it is refused.</summary>
    public static OrderState Then(this OrderState state, OrderCommand command)
    {
        var result = OrderDecider.Decide(command, state);
        if (result.Error is { } error)
        {
            throw new XunitException($"Setup step {command.GetType().Name} was refused: {error}");
        }

        return OrderDecider.Evolve(state, result.Events);
    }
}
