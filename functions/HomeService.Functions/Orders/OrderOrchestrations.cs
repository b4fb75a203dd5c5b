using System.Text.Json;
using DurableTask.Core.Exceptions;
using HomeService.Domain.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Orders;

/// <summary>What an order's orchestration reports about itself (its custom status), for operators and tests.</summary>
/// <param name="Phase">"running" while it acts, "waiting" while it waits for <see cref="WaitingFor"/> or a change of the order.</param>
/// <param name="Handled">Events of the order's history whose side effects are done (the history position it has reached).</param>
/// <param name="WaitingFor">The deadline it waits for ("change" when only a change of the order can wake it before its recheck).</param>
/// <param name="Until">When it wakes at the latest (business time).</param>
public sealed record OrderLifecycleStatus(
    string Phase, OrderStatus Status, int Handled, string? WaitingFor, DateTimeOffset? Until, int Version, int Generation);

/// <summary>An order's orchestration as the Durable runtime sees it.</summary>
public sealed record OrderLifecycleView(
    string OrderId, string InstanceId, string RuntimeStatus, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt,
    OrderLifecycleStatus? Status, string? Failure);

/// <summary>
/// The one port to the order orchestrations (ARCHITECTURE D1/D3): start one when an order is placed, tell it the order
/// changed after every successful write, and describe it to operators. The instance id is the order id.
/// </summary>
public interface IOrderOrchestrations
{
    /// <summary>Starts the order's orchestration unless one is running; a finished or failed one is started again.</summary>
    Task StartAsync(string orderId, CancellationToken ct);

    /// <summary>
    /// "The order changed": wakes the orchestration to re-read it. Never fails the caller (the write it follows has
    /// committed): a lost signal delays the reaction until the next deadline or recheck and is alerted by the sweep.
    /// </summary>
    Task ChangedAsync(string orderId, bool orchestrationMayHaveFinished, CancellationToken ct);

    Task<OrderLifecycleView?> DescribeAsync(string orderId, CancellationToken ct);
}

/// <summary>
/// The Durable client the running function got. Under the Functions host a client only comes through a
/// <c>[DurableClient]</c> binding, so each function that starts or signals orchestrations hands its client here first;
/// the local host also registers one in the container, used when no function bound one.
/// </summary>
public sealed class DurableClientAccessor(IServiceProvider services)
{
    private DurableTaskClient? _bound;

    public void Bind(DurableTaskClient client) => _bound = client;

    public DurableTaskClient Client => _bound ?? services.GetService<DurableTaskClient>()
        ?? throw new InvalidOperationException("No Durable client: the function running now must bind [DurableClient] and pass it to DurableClientAccessor.Bind.");
}

/// <summary>
/// Marks the code an order's own orchestration runs (its activities). Writes made there need no signal: the
/// orchestration reads the order again right after the activity.
/// </summary>
public static class OrderActivityScope
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? OrderId => Current.Value;

    public static IDisposable Enter(string orderId)
    {
        var outer = Current.Value;
        Current.Value = orderId;
        return new Exit(outer);
    }

    private sealed class Exit(string? outer) : IDisposable
    {
        public void Dispose() => Current.Value = outer;
    }
}

public sealed class DurableOrderOrchestrations(DurableClientAccessor clients, TimeProvider time, ILogger<DurableOrderOrchestrations> logger)
    : IOrderOrchestrations
{
    /// <summary>Starting again is allowed unless one is running (or about to).</summary>
    private static readonly OrchestrationRuntimeStatus[] Running = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending];

    public async Task StartAsync(string orderId, CancellationToken ct)
    {
        var client = clients.Client;
        var existing = await client.GetInstanceAsync(orderId, getInputsAndOutputs: true, ct);
        if (existing is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
        {
            return;
        }

        // A finished or failed predecessor tells how far it got, so side effects already done are not redone.
        var handled = existing is null ? 0 : HandledOf(existing);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(OrderOrchestrator.Name, new OrderLifecycleInput(orderId, handled),
                new StartOrchestrationOptions(orderId).WithDedupeStatuses(Running), ct);
            logger.LogInformation("Orchestration of order {OrderId} started at event {Handled}", orderId, handled);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // Another request started it in between: one is running, which is all this asks for.
        }
    }

    public async Task ChangedAsync(string orderId, bool orchestrationMayHaveFinished, CancellationToken ct)
    {
        if (OrderActivityScope.OrderId == orderId)
        {
            return;
        }

        try
        {
            if (orchestrationMayHaveFinished)
            {
                // A late payment on a closed order, say: its orchestration may have ended; it must run again.
                await StartAsync(orderId, ct);
            }

            await clients.Client.RaiseEventAsync(orderId, OrderOrchestrator.ChangedEvent, time.GetUtcNow(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Could not signal the orchestration of order {OrderId}; it acts at its next deadline or recheck", orderId);
        }
    }

    public async Task<OrderLifecycleView?> DescribeAsync(string orderId, CancellationToken ct)
    {
        var instance = await clients.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true, ct);
        return instance is null
            ? null
            : new OrderLifecycleView(orderId, instance.InstanceId, instance.RuntimeStatus.ToString(), instance.CreatedAt, instance.LastUpdatedAt,
                StatusOf(instance), instance.FailureDetails is { } f ? $"{f.ErrorType}: {f.ErrorMessage}" : null);
    }

    internal static OrderLifecycleStatus? StatusOf(OrchestrationMetadata instance)
    {
        if (instance.SerializedCustomStatus is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            return instance.ReadCustomStatusAs<OrderLifecycleStatus>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int HandledOf(OrchestrationMetadata instance)
    {
        if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && instance.SerializedOutput is { Length: > 0 })
        {
            try
            {
                return instance.ReadOutputAs<OrderLifecycleResult>()?.Handled ?? 0;
            }
            catch (JsonException)
            {
                return 0;
            }
        }

        return StatusOf(instance)?.Handled ?? 0;
    }
}
