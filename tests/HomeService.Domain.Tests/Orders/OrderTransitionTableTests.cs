using HomeService.Domain.Orders;
using static HomeService.Domain.Orders.OrderStatus;
using static HomeService.Domain.Tests.Orders.Given;

namespace HomeService.Domain.Tests.Orders;

public class OrderTransitionTableTests
{
    private static readonly DateTimeOffset Late = SettlementDueAt.AddDays(30);

    /// <summary>One runnable example per row of <see cref="OrderTransitions.All"/>.</summary>
    private static readonly (OrderStatus From, Func<OrderState> Given, OrderCommand When, OrderStatus To)[] Walks =
    [
        (None, () => OrderState.Initial, Place(), PendingPayment),

        (PendingPayment, () => InStatus(PendingPayment), Pay, Dispatching),
        (PendingPayment, () => InStatus(PendingPayment), new PaymentTimedOut(T0.AddMinutes(15)), Closed),
        (PendingPayment, () => InStatus(PendingPayment), new Cancel(Customer, "changed my mind", 0, 0, T0.AddMinutes(1)), Cancelled),
        (PendingPayment, () => InStatus(PendingPayment), new Reschedule(Customer, Start.AddDays(1), Start.AddDays(1).AddHours(2), T0.AddMinutes(1)), PendingPayment),
        (Dispatching, () => InStatus(Dispatching), new Reschedule(Customer, Start.AddDays(1), Start.AddDays(1).AddHours(2), OfferedAt), Dispatching),
        (Offered, () => InStatus(Offered), new Reschedule(Customer, Start.AddDays(1), Start.AddDays(1).AddHours(2), OfferedAt.AddMinutes(1)), Offered),
        (ManualDispatch, () => InStatus(ManualDispatch), new Reschedule(Customer, Start.AddDays(1), Start.AddDays(1).AddHours(2), OfferedAt.AddMinutes(30)), ManualDispatch),
        (Accepted, () => InStatus(Accepted), new Reschedule(Customer, Start.AddDays(1), Start.AddDays(1).AddHours(2), TripAt.AddHours(-1)), Accepted),

        (Closed, () => InStatus(Closed), new ConfirmPayment("pay-late", Price, T0.AddMinutes(20)), Refunding),
        (Cancelled, () => InStatus(Cancelled), new ConfirmPayment("pay-late", Price, T0.AddMinutes(20)), Refunding),

        (Dispatching, () => InStatus(Dispatching), new Offer(Worker, 1, OfferedAt), Offered),
        (Dispatching, () => InStatus(Dispatching, DispatchMode.GrabPool), new Grab(Worker, OfferedAt), Accepted),
        (Dispatching, () => InStatus(Dispatching), new AssignByAdmin(AdminId, Worker, OfferedAt), Accepted),
        (Dispatching, () => InStatus(Dispatching), new EscalateToManual("no candidates", OfferedAt), ManualDispatch),
        (Dispatching, () => InStatus(Dispatching, DispatchMode.GrabPool), new GrabPoolExpired(PaidAt.AddMinutes(15)), ManualDispatch),
        (Dispatching, () => InStatus(Dispatching), new Cancel(Customer, "fee covers it", Price, 0, OfferedAt), Cancelled),
        (Dispatching, () => InStatus(Dispatching), new Cancel(Customer, "free before acceptance", 0, Price, OfferedAt), Refunding),

        (Offered, () => InStatus(Offered), new Accept(Worker, AcceptedAt), Accepted),
        (Offered, () => InStatus(Offered), new Reject(Worker, "too far", AcceptedAt), Dispatching),
        (Offered, () => OfferedInRound(3), new Reject("w-r3", "too far", AcceptedAt), ManualDispatch),
        (Offered, () => InStatus(Offered), new OfferTimedOut(Worker, 1, OfferedAt.AddMinutes(5)), Dispatching),
        (Offered, () => OfferedInRound(3), new OfferTimedOut("w-r3", 3, OfferedAt.AddMinutes(5)), ManualDispatch),
        (Offered, () => InStatus(Offered), new EscalateToManual("customer vip", AcceptedAt), ManualDispatch),
        (Offered, () => InStatus(Offered), new AssignByAdmin(AdminId, OtherWorker, AcceptedAt), Accepted),
        (Offered, () => InStatus(Offered), new Cancel(Admin, "duplicate order", Price, 0, AcceptedAt), Cancelled),
        (Offered, () => InStatus(Offered), new Cancel(Customer, "free before acceptance", 0, Price, AcceptedAt), Refunding),

        (ManualDispatch, () => InStatus(ManualDispatch), new AssignByAdmin(AdminId, Worker, AcceptedAt), Accepted),
        (ManualDispatch, () => InStatus(ManualDispatch), new Cancel(Admin, "nobody available", Price, 0, AcceptedAt), Cancelled),
        (ManualDispatch, () => InStatus(ManualDispatch), new Cancel(Admin, "nobody available", 0, Price, AcceptedAt), Refunding),

        (Accepted, () => InStatus(Accepted), new StartTrip(Worker, OnTheRoad, Start, TripAt), OnTheWay),
        (Accepted, () => InStatus(Accepted), new Arrive(Worker, ArrivedAt), Arrived),
        (Accepted, () => InStatus(Accepted), new Reassign(AdminId, OtherWorker, "worker sick", TripAt), Accepted),
        (Accepted, () => InStatus(Accepted), new SendReminder(ReminderKind.T24h, Start.AddHours(-24)), Accepted),
        (Accepted, () => InStatus(Accepted), new Cancel(Customer, "late cancel", 2_000, Price - 2_000, TripAt), Refunding),
        (Accepted, () => InStatus(Accepted), new Cancel(Customer, "late cancel", Price, 0, TripAt), Cancelled),

        (OnTheWay, () => InStatus(OnTheWay), new UpdateLocation(Worker, Home, Start, TripAt.AddMinutes(10)), OnTheWay),
        (OnTheWay, () => InStatus(OnTheWay), new Arrive(Worker, ArrivedAt), Arrived),
        (OnTheWay, () => InStatus(OnTheWay), new Reassign(AdminId, OtherWorker, "flat tyre", TripAt.AddMinutes(10)), Accepted),
        (OnTheWay, () => InStatus(OnTheWay), new SendReminder(ReminderKind.T2h, Start.AddHours(-2)), OnTheWay),
        (OnTheWay, () => InStatus(OnTheWay), new Cancel(Customer, "late cancel", Price, 0, TripAt.AddMinutes(10)), Cancelled),
        (OnTheWay, () => InStatus(OnTheWay), new Cancel(Admin, "worker no-show", 0, Price, TripAt.AddMinutes(10)), Refunding),

        (Arrived, () => InStatus(Arrived), new StartService(Worker, Start), InService),
        (Arrived, () => InStatus(Arrived), new Cancel(Admin, "address unreachable", Price, 0, Start), Cancelled),
        (Arrived, () => InStatus(Arrived), new Cancel(Admin, "customer absent", 5_000, Price - 5_000, Start), Refunding),

        (InService, () => InStatus(InService), new Complete(Worker, ["uploads/o-1/after.jpg"], null, End), Completed),

        (Completed, () => InStatus(Completed), new Confirm(CustomerId, ConfirmedAt), Confirmed),
        (Completed, () => InStatus(Completed), new AutoConfirm(End.AddHours(24)), Confirmed),
        (Completed, () => InStatus(Completed), new OpenAfterSale(CustomerId, "broken vase", ConfirmedAt), AfterSale),

        (Confirmed, () => InStatus(Confirmed), new OpenAfterSale(CustomerId, "stain", ConfirmedAt.AddHours(1)), AfterSale),
        (Confirmed, () => InStatus(Confirmed), new SettlementDue(SettlementDueAt), Confirmed),
        (Confirmed, () => InStatus(Confirmed).Then(new SettlementDue(SettlementDueAt)), new MarkSettled("s-1", SettlementDueAt), Settled),

        (AfterSale, () => InStatus(AfterSale), new RequestRefund(Admin, 5_000, "partial", ConfirmedAt.AddHours(1)), Refunding),
        (AfterSale, () => InStatus(AfterSale), new ResolveAfterSale(AdminId, "worker came back and fixed it", ConfirmedAt.AddHours(1)), Confirmed),

        (Refunding, () => InStatus(Refunding), new RefundSucceeded("r-1", Price, ConfirmedAt.AddHours(2)), Refunded),
        (Refunding, () => InStatus(Refunding), new RefundFailed("r-1", "account frozen", ConfirmedAt.AddHours(2)), Refunding),
        (Refunding, () => InStatus(Refunding).Then(new RefundFailed("r-1", "account frozen", ConfirmedAt.AddHours(2))),
            new RequestRefund(Admin, Price, "retry", ConfirmedAt.AddHours(3)), Refunding),

        (Refunded, () => PartiallyRefunded(), new SettlementDue(ConfirmedAt.AddHours(2)), Refunded),
        (Refunded, () => PartiallyRefunded().Then(new SettlementDue(ConfirmedAt.AddHours(2))), new MarkSettled("s-1", ConfirmedAt.AddHours(3)), Settled),
    ];

    private static string Key(OrderStatus from, Type command, OrderStatus to) => $"{from} --{command.Name}--> {to}";

    public static TheoryData<string> Rows() => new(OrderTransitions.All.Select(t => Key(t.From, t.Command, t.To)));

    public static TheoryData<OrderStatus, string> ForbiddenPairs()
    {
        var data = new TheoryData<OrderStatus, string>();
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            foreach (var command in OrderTransitions.CommandTypes.Where(c => !OrderTransitions.IsAllowed(status, c)))
            {
                data.Add(status, command.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_allowed_transition_in_the_table_reaches_its_target(string row)
    {
        var walk = Walks.Single(w => Key(w.From, w.When.GetType(), w.To) == row);
        var given = walk.Given();
        Assert.Equal(walk.From, given.Status);

        var result = OrderDecider.Decide(walk.When, given);

        Assert.Null(result.Error);
        Assert.NotEmpty(result.Events);
        Assert.Equal(walk.To, OrderDecider.Evolve(given, result.Events).Status);
    }

    [Fact]
    public void Every_walk_matches_a_table_row_and_every_row_has_a_walk()
    {
        var rows = OrderTransitions.All.Select(t => Key(t.From, t.Command, t.To)).ToHashSet();
        var walks = Walks.Select(w => Key(w.From, w.When.GetType(), w.To)).ToList();

        Assert.Equal(walks.Count, walks.Distinct().Count());
        Assert.Equal(rows.Order(), walks.Order());
    }

    [Theory]
    [MemberData(nameof(ForbiddenPairs))]
    public void A_command_outside_the_table_is_refused_naming_the_state_or_ignored_if_a_timer(OrderStatus status, string commandName)
    {
        var state = InStatus(status);
        var command = Sample(commandName);

        var result = OrderDecider.Decide(command, state);

        if (command is OrderTimerCommand || IsRepeatOfWhatMadeTheState(status, command))
        {
            Assert.True(result.IsNoOp, $"{commandName} in {status} should change nothing, got {result}");
            return;
        }

        var error = Assert.IsType<OrderTransitionError>(result.Error);
        Assert.Empty(result.Events);
        Assert.Equal(status, error.CurrentStatus);
        Assert.Equal(commandName, error.Command);
        Assert.Equal(OrderErrorKind.Conflict, error.Kind);
        Assert.Contains(status.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_commands_are_listed_per_status_from_the_table()
    {
        Assert.Equal(["ConfirmPayment", "PaymentTimedOut", "Cancel", "Reschedule"], OrderTransitions.AllowedCommands(PendingPayment));
        Assert.Equal(["Accept", "Reject", "OfferTimedOut", "EscalateToManual", "AssignByAdmin", "Cancel", "Reschedule"],
            OrderTransitions.AllowedCommands(Offered));
        Assert.Empty(OrderTransitions.AllowedCommands(Settled));
    }

    [Fact]
    public void Every_command_type_appears_in_the_table()
    {
        var inTable = OrderTransitions.All.Select(t => t.Command).ToHashSet();

        Assert.All(OrderTransitions.CommandTypes, c => Assert.Contains(c, inTable));
    }

    [Fact]
    public void Every_status_is_reachable_from_placement()
    {
        var reached = new HashSet<OrderStatus> { None };
        var frontier = new Queue<OrderStatus>([None]);
        while (frontier.TryDequeue(out var from))
        {
            foreach (var to in OrderTransitions.All.Where(t => t.From == from).Select(t => t.To))
            {
                if (reached.Add(to))
                {
                    frontier.Enqueue(to);
                }
            }
        }

        Assert.Equal(Enum.GetValues<OrderStatus>().Order(), reached.Order());
    }

    [Theory]
    [InlineData("docs/order-lifecycle.md")]
    [InlineData("README.md")]
    public void The_documented_diagram_is_the_one_generated_from_the_table(string document)
    {
        var path = Path.Combine(RepositoryRoot(), document);
        var generated = OrderTransitions.ToMermaid();
        if (Environment.GetEnvironmentVariable("UPDATE_ORDER_LIFECYCLE_DOC") == "1")
        {
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            var start = text.IndexOf("```mermaid\n", StringComparison.Ordinal) + "```mermaid\n".Length;
            var end = text.IndexOf("```", start, StringComparison.Ordinal);
            File.WriteAllText(path, string.Concat(text.AsSpan(0, start), generated, text.AsSpan(end)));
        }

        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        var from = doc.IndexOf("```mermaid\n", StringComparison.Ordinal);
        Assert.True(from >= 0, $"{document} has no mermaid block");
        from += "```mermaid\n".Length;
        var documented = doc[from..doc.IndexOf("```", from, StringComparison.Ordinal)];

        Assert.Equal(generated, documented);
    }

    private static bool IsRepeatOfWhatMadeTheState(OrderStatus status, OrderCommand command) =>
        (status, command) is (Cancelled, Cancel) or (Settled, MarkSettled) or (ManualDispatch, EscalateToManual);

    /// <summary>A command from strangers (new ids, other actors), so it is never an already-applied repeat.</summary>
    private static OrderCommand Sample(string commandName)
    {
        var stranger = "w-stranger";
        var adminActor = new Actor(ActorRole.Admin, "a-stranger");
        return commandName switch
        {
            nameof(Place) => new Place(Details() with { OrderId = "o-other" }, LifecycleTimings.Default, Late),
            nameof(ConfirmPayment) => new ConfirmPayment("pay-other", Price, Late),
            nameof(PaymentTimedOut) => new PaymentTimedOut(Late),
            nameof(Offer) => new Offer(stranger, 1, Late),
            nameof(Accept) => new Accept(stranger, Late),
            nameof(Reject) => new Reject(stranger, "busy", Late),
            nameof(OfferTimedOut) => new OfferTimedOut(stranger, 1, Late),
            nameof(EscalateToManual) => new EscalateToManual("why not", Late),
            nameof(GrabPoolExpired) => new GrabPoolExpired(Late),
            nameof(Grab) => new Grab(stranger, Late),
            nameof(AssignByAdmin) => new AssignByAdmin("a-stranger", stranger, Late),
            nameof(Reassign) => new Reassign("a-stranger", stranger, "why not", Late),
            nameof(Reschedule) => new Reschedule(new Actor(ActorRole.Customer, "c-stranger"), Late.AddDays(9), Late.AddDays(9).AddHours(2), Late),
            nameof(StartTrip) => new StartTrip(stranger, Home, Late, Late),
            nameof(UpdateLocation) => new UpdateLocation(stranger, Home, Late, Late),
            nameof(Arrive) => new Arrive(stranger, Late),
            nameof(StartService) => new StartService(stranger, Late),
            nameof(Complete) => new Complete(stranger, [], null, Late),
            nameof(Confirm) => new Confirm("c-stranger", Late),
            nameof(AutoConfirm) => new AutoConfirm(Late),
            nameof(OpenAfterSale) => new OpenAfterSale("c-stranger", "why not", Late),
            nameof(ResolveAfterSale) => new ResolveAfterSale("a-stranger", "why not", Late),
            nameof(Cancel) => new Cancel(adminActor, "why not", 0, 0, Late),
            nameof(RequestRefund) => new RequestRefund(adminActor, 1, "why not", Late),
            nameof(RefundSucceeded) => new RefundSucceeded("r-other", 1, Late),
            nameof(RefundFailed) => new RefundFailed("r-other", "why not", Late),
            nameof(SettlementDue) => new SettlementDue(Late),
            nameof(MarkSettled) => new MarkSettled("s-other", Late),
            nameof(SendReminder) => new SendReminder(ReminderKind.T24h, Late),
            _ => throw new ArgumentOutOfRangeException(nameof(commandName), commandName, "Add a sample for the new command."),
        };
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HomeService.Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
