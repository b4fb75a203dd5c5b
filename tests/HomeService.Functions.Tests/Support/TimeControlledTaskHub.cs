using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using HomeService.LocalHost;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// The local host's task hub (Azure Storage provider on Azurite) with durable timers on the test's clock
/// (ARCHITECTURE, "Durable in tests"). The orchestrations create their timers in business time; a timer whose time the
/// fake clock has not reached is held here instead of being written to the control queue, and <see cref="ReleaseDueAsync"/>
/// sends it once the test has advanced the clock past it — so minutes and days pass without real waiting.
/// </summary>
public sealed class TimeControlledTaskHub(IOrchestrationService service, IOrchestrationServiceClient client, TimeProvider clock)
    : OrchestrationServiceDecorator(service), IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    private readonly ConcurrentDictionary<TaskMessage, DateTime> _held = new();

    /// <summary>Timers waiting for the clock, by business due time.</summary>
    public IReadOnlyCollection<DateTime> HeldTimers => [.. _held.Values];

    /// <summary>Sends every held timer the clock has reached, as firing now.</summary>
    public async Task<int> ReleaseDueAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = _held.Where(h => h.Value <= now).Select(h => h.Key).ToArray();
        foreach (var message in due)
        {
            if (_held.TryRemove(message, out _))
            {
                ((TimerFiredEvent)message.Event).FireAt = DateTime.UtcNow;
                await client.SendTaskOrchestrationMessageAsync(message);
            }
        }

        return due.Length;
    }

    public override Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var fire = new List<TaskMessage>();
        foreach (var message in timerMessages)
        {
            if (message.Event is TimerFiredEvent timer && timer.FireAt.ToUniversalTime() > now)
            {
                _held[message] = timer.FireAt.ToUniversalTime();
            }
            else
            {
                // Due on the test's clock: the provider must not wait for the real clock to get there.
                if (message.Event is TimerFiredEvent due && due.FireAt.ToUniversalTime() > DateTime.UtcNow)
                {
                    due.FireAt = DateTime.UtcNow;
                }

                fire.Add(message);
            }
        }

        return Inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, fire,
            continuedAsNewMessage, orchestrationState);
    }

    // Everything else is the task hub's own (OrchestrationServiceDecorator); the client's:
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => client.CreateTaskOrchestrationAsync(creationMessage);
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) => client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);
    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => client.SendTaskOrchestrationMessageAsync(message);
    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => client.SendTaskOrchestrationMessageBatchAsync(messages);
    public Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        client.WaitForOrchestrationAsync(instanceId, executionId, timeout, cancellationToken);
    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) => client.GetOrchestrationStateAsync(instanceId, allExecutions);
    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) => client.GetOrchestrationStateAsync(instanceId, executionId);
    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => client.GetOrchestrationHistoryAsync(instanceId, executionId);
    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        ((IOrchestrationServiceQueryClient)client).GetOrchestrationWithQueryAsync(query, cancellationToken);
    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) => ((IOrchestrationServicePurgeClient)client).PurgeInstanceStateAsync(instanceId);
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) => ((IOrchestrationServicePurgeClient)client).PurgeInstanceStateAsync(purgeInstanceFilter);
}
