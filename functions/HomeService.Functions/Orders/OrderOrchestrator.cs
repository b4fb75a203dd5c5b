using HomeService.Domain.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace HomeService.Functions.Orders;

/// <param name="Handled">History position up to which the events' side effects are done.</param>
/// <param name="Version">The orchestrator version the instance runs (docs/order-lifecycle.md, "Changing the orchestrator").</param>
/// <param name="Generation">How many times it continued as new.</param>
/// <param name="Skip">Deadlines found impossible to act on: never fired again (the order keeps them only if it has a bug).</param>
public sealed record OrderLifecycleInput(
    string OrderId, int Handled = 0, int Version = OrderOrchestrator.CurrentVersion, int Generation = 0, IReadOnlyList<Deadline>? Skip = null);

public sealed record OrderLifecycleResult(string OrderId, OrderStatus Status, int Handled);

/// <summary>
/// One orchestration per order (instance id = order id), started when the order is placed. It reads the order, does the
/// side effects of what happened since it last looked, then does what <see cref="LifecyclePlanner"/> says: fire a due
/// deadline, offer the order to the next worker, settle — or wait for the nearest deadline or a change of the order,
/// whichever comes first. Every wake-up reads the order again, so a lost, duplicated or early signal only delays.
/// Deterministic: no clock, I/O or randomness here; the order and the business time come from an activity.
/// </summary>
public sealed class OrderOrchestrator : TaskOrchestrator<OrderLifecycleInput, OrderLifecycleResult>
{
    public const string Name = "OrderLifecycle";

    /// <summary>The external event every successful change of the order raises.</summary>
    public const string ChangedEvent = "OrderChanged";

    /// <summary>Bump with a code path kept for the older number (docs/order-lifecycle.md, "Changing the orchestrator").</summary>
    public const int CurrentVersion = 1;

    /// <summary>Turns per generation before the history is started afresh (besides every phase change).</summary>
    public const int MaxTurns = 25;

    /// <summary>The longest it waits without looking: a lost signal delays a reaction at most this long.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromHours(1);

    /// <summary>Booking starts the orchestration just before it writes the order; an order that never comes is given up after this.</summary>
    public static readonly TimeSpan PlacementGrace = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A failed activity is tried again at once, a few times (the Cosmos SDK already backs off on throttling inside each
    /// attempt); then the orchestration fails, the lifecycle sweep alerts the admins and starts it again where it stopped.
    /// No timer between attempts: every durable timer here is in business time, the one clock the tests control.
    /// </summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryHandler(retry => retry.LastAttemptNumber < MaxAttempts);

    public const int MaxAttempts = 4;

    [Function(Name)]
    public static Task<OrderLifecycleResult> RunFunctionAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new OrderOrchestrator().RunAsync(context, context.GetInput<OrderLifecycleInput>()!);

    public override async Task<OrderLifecycleResult> RunAsync(TaskOrchestrationContext context, OrderLifecycleInput input)
    {
        var log = context.CreateReplaySafeLogger(typeof(OrderOrchestrator).FullName!);
        var orderId = input.OrderId;
        var handled = input.Handled;
        var skip = (input.Skip ?? []).ToList();
        var awaitedPlacement = false;
        LifecyclePhase? phase = null;
        for (var turn = 0; turn < MaxTurns; turn++)
        {
            var step = await context.CallActivityAsync<OrderStep>(OrderActivities.Read, new ReadOrderInput(orderId, [.. skip]), Retry);
            if (!step.Exists)
            {
                if (awaitedPlacement || handled > 0)
                {
                    log.LogWarning("Order {OrderId} does not exist; its orchestration ends", orderId);
                    return new OrderLifecycleResult(orderId, OrderStatus.None, handled);
                }

                awaitedPlacement = true;
                await WaitAsync(context, Status("waiting", OrderStatus.None, handled, "placement", step.Now + PlacementGrace, input), step.Now + PlacementGrace);
                continue;
            }

            context.SetCustomStatus(Status("running", step.Status, handled, null, null, input));
            // 1. The side effects of what happened since the last look, in order (each idempotent by its position).
            for (var position = handled; position < step.HistoryCount; position++)
            {
                await context.CallActivityAsync<bool>(OrderActivities.ReactToEvent, new OrderEventRef(orderId, position), Retry);
            }

            if (step.HistoryCount > handled)
            {
                // The reactions may have changed the order themselves (a refund the provider refused, say): plan on a fresh read.
                handled = step.HistoryCount;
                continue;
            }

            var now = LifecyclePlanner.PhaseOf(step.Status);
            phase ??= now;
            if (now != phase)
            {
                // A phase boundary: a fresh, short history for the next part of the order's life.
                return ContinueAsNew(context, input, handled, skip);
            }

            // 2. The process's next move.
            var plan = step.Plan;
            switch (plan.Move)
            {
                case LifecycleMove.Finish:
                    context.SetCustomStatus(Status("finished", step.Status, handled, null, null, input));
                    log.LogInformation("Order {OrderId} finished as {Status}", orderId, step.Status);
                    return new OrderLifecycleResult(orderId, step.Status, handled);

                case LifecycleMove.Fire:
                    var fired = await context.CallActivityAsync<MoveOutcome>(OrderActivities.FireDeadline, new FireDeadlineInput(orderId, plan.Deadline!), Retry);
                    if (fired.NotDueUntil is { } notDue)
                    {
                        // The app's clock is behind the timer's: wait for the business time it names.
                        await WaitAsync(context, Status("waiting", step.Status, handled, plan.Deadline!.Kind.ToString(), notDue, input), notDue);
                    }
                    else if (!fired.Changed)
                    {
                        log.LogWarning("Order {OrderId}: deadline {Kind} at {DueAt} cannot be acted on; skipped", orderId, plan.Deadline!.Kind, plan.Deadline.DueAt);
                        skip.Add(plan.Deadline!);
                    }

                    break;

                case LifecycleMove.Offer or LifecycleMove.Settle:
                    var activity = plan.Move == LifecycleMove.Offer ? OrderActivities.OfferNextWorker : OrderActivities.Settle;
                    var moved = await context.CallActivityAsync<MoveOutcome>(activity, new OrderMoveInput(orderId, plan.OfferRound), Retry);
                    if (!moved.Changed)
                    {
                        // Nothing could be done now (e.g. the order moved meanwhile): look again on the next change, or at the recheck.
                        await WaitAsync(context, Status("waiting", step.Status, handled, "change", step.Now + Recheck, input), step.Now + Recheck);
                    }

                    break;

                default:
                    var until = plan.Deadline is { } next && next.DueAt < step.Now + Recheck ? next.DueAt : step.Now + Recheck;
                    var waitingFor = plan.Deadline is { } d && d.DueAt == until ? d.Kind.ToString() : "change";
                    await WaitAsync(context, Status("waiting", step.Status, handled, waitingFor, until, input), until);
                    break;
            }
        }

        return ContinueAsNew(context, input, handled, skip);
    }

    /// <summary>The one pending wait for a signal, kept across waits that a timer ended (an abandoned waiter would swallow a signal).</summary>
    private Task<DateTimeOffset>? _changed;

    /// <summary>Waits for a change of the order or <paramref name="until"/> (business time), whichever comes first.</summary>
    private async Task WaitAsync(TaskOrchestrationContext context, OrderLifecycleStatus status, DateTimeOffset until)
    {
        context.SetCustomStatus(status);
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(until.UtcDateTime, cancelTimer.Token);
        _changed ??= context.WaitForExternalEvent<DateTimeOffset>(ChangedEvent);
        if (await Task.WhenAny(timer, _changed) == _changed)
        {
            // Consumed: the next wait takes the next signal (a signal that came meanwhile is buffered for it).
            _changed = null;
            cancelTimer.Cancel();
        }
    }

    private static OrderLifecycleResult ContinueAsNew(TaskOrchestrationContext context, OrderLifecycleInput input, int handled, List<Deadline> skip)
    {
        // Signals that arrived meanwhile are kept for the next generation. Instances continue on the current version.
        context.ContinueAsNew(input with { Handled = handled, Generation = input.Generation + 1, Skip = skip, Version = CurrentVersion });
        return new OrderLifecycleResult(input.OrderId, OrderStatus.None, handled);
    }

    private static OrderLifecycleStatus Status(string phase, OrderStatus status, int handled, string? waitingFor, DateTimeOffset? until, OrderLifecycleInput input) =>
        new(phase, status, handled, waitingFor, until, input.Version, input.Generation);
}
