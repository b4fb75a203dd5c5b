// The Durable analyzers read these Moq setups (any input, typed results) as activity calls.
#pragma warning disable DURABLE2001, DURABLE2002, DURABLE2003
using HomeService.Domain.Orders;
using HomeService.Functions.Orders;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;

namespace HomeService.Functions.Tests.Orders;

/// <summary>
/// The order orchestrator's branches with a Moq'd <see cref="TaskOrchestrationContext"/> (as durabletask-dotnet's
/// AzureFunctionsUnitTests sample does): what it calls, waits for and continues with, for each step the order's
/// activity reports. No runtime, no I/O, no clock.
/// </summary>
public sealed class OrderOrchestratorTests
{
    private const string OrderId = "ord-1";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly Deadline PaymentDue = new(TimerKind.PaymentTimeout, Now.AddMinutes(15));

    private readonly Mock<TaskOrchestrationContext> _context = new();
    private readonly Queue<OrderStep> _steps = new();
    private readonly List<object?> _activities = [];
    private readonly List<DateTime> _timers = [];
    private readonly List<OrderLifecycleStatus> _statuses = [];
    private readonly List<ReadOrderInput> _reads = [];
    private object? _continuedWith;
    private Func<Task> _timer = () => Task.CompletedTask;
    private Func<Task<DateTimeOffset>> _changed = () => new TaskCompletionSource<DateTimeOffset>().Task;

    public OrderOrchestratorTests()
    {
        var loggers = new Mock<ILoggerFactory>();
        loggers.Setup(f => f.CreateLogger(It.IsAny<string>())).Returns(NullLogger.Instance);
        _context.Protected().Setup<ILoggerFactory>("LoggerFactory").Returns(loggers.Object);
        _context.Setup(c => c.CreateReplaySafeLogger(It.IsAny<string>())).Returns(NullLogger.Instance);
        _context.Setup(c => c.CallActivityAsync<OrderStep>(OrderActivities.Read, It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName _, object? input, TaskOptions? _) =>
            {
                _reads.Add((ReadOrderInput)input!);
                return Task.FromResult(_steps.Dequeue());
            });
        _context.Setup(c => c.CallActivityAsync<bool>(OrderActivities.ReactToEvent, It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName _, object? input, TaskOptions? _) => { _activities.Add(input); return Task.FromResult(true); });
        _context.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime at, CancellationToken _) => { _timers.Add(at); return _timer(); });
        _context.Setup(c => c.WaitForExternalEvent<DateTimeOffset>(OrderOrchestrator.ChangedEvent, It.IsAny<CancellationToken>()))
            .Returns(() => _changed());
        _context.Setup(c => c.SetCustomStatus(It.IsAny<object?>())).Callback((object? s) => _statuses.Add((OrderLifecycleStatus)s!));
        _context.Setup(c => c.ContinueAsNew(It.IsAny<object?>(), It.IsAny<bool>())).Callback((object? input, bool _) => _continuedWith = input);
    }

    private static OrderStep Step(OrderStatus status, int history, LifecyclePlan plan) => new(true, status, history, plan, Now);

    private void Move(string activity, bool changed, DateTimeOffset? notDueUntil = null) =>
        _context.Setup(c => c.CallActivityAsync<MoveOutcome>(activity, It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName _, object? input, TaskOptions? _) => { _activities.Add(input); return Task.FromResult(new MoveOutcome(changed, notDueUntil)); });

    private Task<OrderLifecycleResult> RunAsync(OrderLifecycleInput? input = null) =>
        new OrderOrchestrator().RunAsync(_context.Object, input ?? new OrderLifecycleInput(OrderId));

    [Fact]
    public async Task New_events_get_their_side_effects_in_order_by_position_before_it_waits_for_the_nearest_deadline()
    {
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 3, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 3, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 3, new LifecyclePlan(LifecycleMove.Finish)));

        var result = await RunAsync(new OrderLifecycleInput(OrderId, Handled: 1));

        Assert.Equal([new OrderEventRef(OrderId, 1), new OrderEventRef(OrderId, 2)], _activities);
        // The plan is made on a read after the side effects (they may change the order themselves).
        Assert.Equal(3, _reads.Count);
        Assert.Equal(PaymentDue.DueAt.UtcDateTime, Assert.Single(_timers));
        var waiting = Assert.Single(_statuses, s => s.Phase == "waiting");
        Assert.Equal((nameof(TimerKind.PaymentTimeout), PaymentDue.DueAt, 3), (waiting.WaitingFor, waiting.Until, waiting.Handled));
        Assert.Equal(new OrderLifecycleResult(OrderId, OrderStatus.PendingPayment, 3), result);
    }

    [Fact]
    public async Task Without_a_deadline_within_the_hour_it_wakes_for_a_change_or_at_the_recheck()
    {
        var farAway = new Deadline(TimerKind.ReminderT24h, Now.AddDays(3));
        _steps.Enqueue(Step(OrderStatus.Accepted, 5, new LifecyclePlan(LifecycleMove.Wait, farAway)));
        _steps.Enqueue(Step(OrderStatus.Accepted, 5, new LifecyclePlan(LifecycleMove.Finish)));
        _timer = () => new TaskCompletionSource().Task;
        _changed = () => Task.FromResult(Now);

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 5));

        Assert.Equal((Now + OrderOrchestrator.Recheck).UtcDateTime, Assert.Single(_timers));
        Assert.Equal("change", Assert.Single(_statuses, s => s.Phase == "waiting").WaitingFor);
        Assert.Empty(_activities);
    }

    [Fact]
    public async Task A_due_deadline_is_fired_and_the_order_read_again()
    {
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Fire, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Finish)));
        Move(OrderActivities.FireDeadline, changed: true);

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 1));

        Assert.Equal([new FireDeadlineInput(OrderId, PaymentDue)], _activities);
        Assert.Empty(_timers);
        Assert.Equal(2, _reads.Count);
    }

    [Fact]
    public async Task A_deadline_that_cannot_be_acted_on_is_skipped_from_then_on_instead_of_spinning()
    {
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Fire, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Finish)));
        Move(OrderActivities.FireDeadline, changed: false);

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 1));

        Assert.Empty(_reads[0].Skip);
        Assert.Equal([PaymentDue], _reads[1].Skip);
    }

    [Fact]
    public async Task A_deadline_the_apps_clock_does_not_see_as_due_is_waited_for_in_business_time()
    {
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Fire, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Finish)));
        Move(OrderActivities.FireDeadline, changed: false, notDueUntil: PaymentDue.DueAt);

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 1));

        Assert.Equal(PaymentDue.DueAt.UtcDateTime, Assert.Single(_timers));
        Assert.Empty(_reads[1].Skip);
    }

    [Theory]
    [InlineData(LifecycleMove.Offer, OrderActivities.OfferNextWorker)]
    [InlineData(LifecycleMove.Settle, OrderActivities.Settle)]
    public async Task An_offer_or_settlement_that_changes_nothing_waits_for_a_change_rather_than_trying_again_at_once(LifecycleMove move, string activity)
    {
        _steps.Enqueue(Step(OrderStatus.Dispatching, 2, new LifecyclePlan(move, OfferRound: 2)));
        _steps.Enqueue(Step(OrderStatus.Dispatching, 2, new LifecyclePlan(LifecycleMove.Finish)));
        Move(activity, changed: false);

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 2));

        Assert.Equal([new OrderMoveInput(OrderId, 2)], _activities);
        Assert.Equal((Now + OrderOrchestrator.Recheck).UtcDateTime, Assert.Single(_timers));
    }

    [Fact]
    public async Task An_order_that_never_appears_after_its_booking_started_the_orchestration_is_given_up_after_the_grace_period()
    {
        _steps.Enqueue(new OrderStep(false, OrderStatus.None, 0, new LifecyclePlan(LifecycleMove.Wait), Now));
        _steps.Enqueue(new OrderStep(false, OrderStatus.None, 0, new LifecyclePlan(LifecycleMove.Wait), Now));

        var result = await RunAsync();

        Assert.Equal((Now + OrderOrchestrator.PlacementGrace).UtcDateTime, Assert.Single(_timers));
        Assert.Equal(new OrderLifecycleResult(OrderId, OrderStatus.None, 0), result);
        Assert.Equal("placement", _statuses.Single(s => s.Phase == "waiting").WaitingFor);
    }

    [Fact]
    public async Task A_new_phase_starts_a_fresh_history_carrying_the_position_reached_and_the_skipped_deadlines()
    {
        var stale = new Deadline(TimerKind.OfferAcceptance, Now);
        _steps.Enqueue(Step(OrderStatus.PendingPayment, 1, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.Dispatching, 2, new LifecyclePlan(LifecycleMove.Offer)));
        _steps.Enqueue(Step(OrderStatus.Dispatching, 2, new LifecyclePlan(LifecycleMove.Offer)));

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 1, Generation: 4, Skip: [stale]));

        // The payment's side effects run in the old generation; the offer is the new one's to make.
        Assert.Equal([new OrderEventRef(OrderId, 1)], _activities);
        var next = Assert.IsType<OrderLifecycleInput>(_continuedWith);
        Assert.Equal(new OrderLifecycleInput(OrderId, 2, OrderOrchestrator.CurrentVersion, 5, next.Skip), next);
        Assert.Equal([stale], next.Skip);
    }

    [Fact]
    public async Task After_its_turn_budget_it_continues_as_new_instead_of_growing_its_history()
    {
        for (var i = 0; i < OrderOrchestrator.MaxTurns; i++)
        {
            _steps.Enqueue(Step(OrderStatus.Accepted, 4, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        }

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 4));

        Assert.Equal(OrderOrchestrator.MaxTurns, _timers.Count);
        var next = Assert.IsType<OrderLifecycleInput>(_continuedWith);
        Assert.Equal((4, 1, 0), (next.Handled, next.Generation, next.Skip!.Count));
    }

    [Fact]
    public async Task A_signal_that_ends_a_wait_is_consumed_once_and_a_wait_a_timer_ended_keeps_listening_for_the_next()
    {
        _steps.Enqueue(Step(OrderStatus.Accepted, 4, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.Accepted, 4, new LifecyclePlan(LifecycleMove.Wait, PaymentDue)));
        _steps.Enqueue(Step(OrderStatus.Accepted, 4, new LifecyclePlan(LifecycleMove.Finish)));
        var waits = 0;
        _changed = () => { waits++; return new TaskCompletionSource<DateTimeOffset>().Task; };

        await RunAsync(new OrderLifecycleInput(OrderId, Handled: 4));

        // Two waits ended by their timers, one listener for signals throughout (an abandoned one would swallow a signal).
        Assert.Equal(2, _timers.Count);
        Assert.Equal(1, waits);
    }
}
