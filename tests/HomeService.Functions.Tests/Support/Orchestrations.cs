using DurableTask.Core;
using HomeService.Functions.Booking;
using HomeService.Functions.Orders;
using HomeService.LocalHost;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// What a test needs of the order orchestrations running on the local host: to wait until they have done everything the
/// order and the (fake) clock call for, and to deliver their activities again (twice-delivery, as a real runtime may).
/// </summary>
public sealed class Orchestrations(IServiceProvider services)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public DurableTaskClient Client => services.GetRequiredService<DurableTaskClient>();

    private TimeControlledTaskHub? Hub => services.GetService<TimeControlledTaskHub>();

    private TimeProvider Clock => services.GetRequiredService<TimeProvider>();

    /// <summary>
    /// Waits until the order's orchestration has handled every event of the order and waits for something still ahead
    /// on the test's clock (releasing the timers the clock has reached), or has finished. A failed one fails the test.
    /// </summary>
    public Task<OrderLifecycleStatus?> SettleAsync(string orderId) => WaitAsync(orderId, requireAllHandled: true);

    /// <summary>
    /// Waits until the order's orchestration waits for something still ahead on the test's clock, whether or not it has
    /// seen every change of the order (one whose signal was lost, say).
    /// </summary>
    public Task<OrderLifecycleStatus?> WaitingAsync(string orderId) => WaitAsync(orderId, requireAllHandled: false);

    private async Task<OrderLifecycleStatus?> WaitAsync(string orderId, bool requireAllHandled)
    {
        var deadline = DateTime.UtcNow + Timeout;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (Hub is { } hub)
            {
                await hub.ReleaseDueAsync();
            }

            var order = await services.GetRequiredService<OrderLifecycle>().FindAsync(orderId, CancellationToken.None);
            var instance = await Client.GetInstanceAsync(orderId, getInputsAndOutputs: true);
            last = instance is null ? "no instance" : $"{instance.RuntimeStatus} {instance.SerializedCustomStatus}, history {order?.History.Count}";
            switch (instance?.RuntimeStatus)
            {
                case OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated:
                    throw new Xunit.Sdk.XunitException($"The orchestration of order {orderId} {instance.RuntimeStatus}: {instance.FailureDetails}");
                case OrchestrationRuntimeStatus.Completed when order is null || instance.ReadOutputAs<OrderLifecycleResult>()?.Handled >= order.History.Count:
                    return null;
                case OrchestrationRuntimeStatus.Running:
                    var status = DurableOrderOrchestrations.StatusOf(instance);
                    if (order is not null && status is { Phase: "waiting" } waiting && (!requireAllHandled || waiting.Handled == order.History.Count) &&
                        waiting.Until > Clock.GetUtcNow())
                    {
                        return waiting;
                    }

                    break;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"The orchestration of order {orderId} did not settle within {Timeout.TotalSeconds} s; last status {last}");
    }

    /// <summary><see cref="SettleAsync"/> for every order orchestration that runs.</summary>
    public async Task SettleAllAsync()
    {
        // Twice: settling one order may wake another (a worker's time let go of, a grab).
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var orderId in await RunningAsync())
            {
                await SettleAsync(orderId);
            }
        }
    }

    /// <summary>Runs the side effects of every event of the order once more (a redelivered activity), then lets it settle.</summary>
    public async Task RedeliverAsync(string orderId)
    {
        var order = (await services.GetRequiredService<OrderLifecycle>().FindAsync(orderId, CancellationToken.None))!;
        var invoker = services.GetRequiredService<LocalFunctionInvoker>();
        var react = HomeService.Functions.Hosting.FunctionCatalog.Get(OrderActivities.ReactToEvent);
        foreach (var position in Enumerable.Range(0, order.History.Count).Reverse())
        {
            await using var scope = services.CreateAsyncScope();
            var run = await invoker.InvokeActivityAsync(react, new OrderEventRef(orderId, position), scope.ServiceProvider, orderId);
            if (!run.Succeeded)
            {
                throw new Xunit.Sdk.XunitException($"Redelivering event {position} of order {orderId} failed: {run.Error}");
            }
        }

        // A duplicated signal too.
        await Client.RaiseEventAsync(orderId, OrderOrchestrator.ChangedEvent, Clock.GetUtcNow());
        await SettleAsync(orderId);
    }

    /// <summary>Waits until no orchestration named <paramref name="name"/> runs (a payout run, say); a failed one fails the test.</summary>
    public async Task CompleteAsync(string name)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var running = false;
            await foreach (var instance in Client.GetAllInstancesAsync(new OrchestrationQuery()))
            {
                if (instance.Name != name)
                {
                    continue;
                }

                if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
                {
                    throw new Xunit.Sdk.XunitException($"{name} {instance.InstanceId} {instance.RuntimeStatus}: {instance.FailureDetails}");
                }

                running |= instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending;
            }

            if (!running)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"{name} orchestrations still run after {Timeout.TotalSeconds} s");
    }

    private async Task<IReadOnlyList<string>> RunningAsync()
    {
        var ids = new List<string>();
        await foreach (var instance in Client.GetAllInstancesAsync(new OrchestrationQuery
                       {
                           Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending],
                       }))
        {
            if (instance.Name == OrderOrchestrator.Name)
            {
                ids.Add(instance.InstanceId);
            }
        }

        return ids;
    }
}

public static class OrchestrationsRegistration
{
    /// <summary>The local host's task hub with timers on the test's clock (the factory's <see cref="TimeProvider"/>).</summary>
    public static IServiceCollection AddTimeControlledTaskHub(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var hub = sp.GetRequiredService<LocalTaskHub>().Service;
            return new TimeControlledTaskHub(hub, hub, sp.GetRequiredService<TimeProvider>());
        });
        services.RemoveAll<IOrchestrationService>();
        services.RemoveAll<IOrchestrationServiceClient>();
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<TimeControlledTaskHub>());
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<TimeControlledTaskHub>());
        return services;
    }
}
