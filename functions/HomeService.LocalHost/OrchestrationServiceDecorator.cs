using DurableTask.Core;

namespace HomeService.LocalHost;

/// <summary>
/// An <see cref="IOrchestrationService"/> in front of another one: every member goes to <see cref="Inner"/> unless a
/// subclass overrides it (the sidecar's start/stop guard; the tests' task hub on a fake clock).
/// </summary>
public abstract class OrchestrationServiceDecorator(IOrchestrationService inner) : IOrchestrationService
{
    protected IOrchestrationService Inner { get; } = inner;

    public virtual int TaskOrchestrationDispatcherCount => Inner.TaskOrchestrationDispatcherCount;
    public virtual int MaxConcurrentTaskOrchestrationWorkItems => Inner.MaxConcurrentTaskOrchestrationWorkItems;
    public virtual BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => Inner.EventBehaviourForContinueAsNew;
    public virtual int TaskActivityDispatcherCount => Inner.TaskActivityDispatcherCount;
    public virtual int MaxConcurrentTaskActivityWorkItems => Inner.MaxConcurrentTaskActivityWorkItems;

    public virtual Task StartAsync() => Inner.StartAsync();
    public virtual Task StopAsync() => Inner.StopAsync();
    public virtual Task StopAsync(bool isForced) => Inner.StopAsync(isForced);
    public virtual Task CreateAsync() => Inner.CreateAsync();
    public virtual Task CreateAsync(bool recreateInstanceStore) => Inner.CreateAsync(recreateInstanceStore);
    public virtual Task CreateIfNotExistsAsync() => Inner.CreateIfNotExistsAsync();
    public virtual Task DeleteAsync() => Inner.DeleteAsync();
    public virtual Task DeleteAsync(bool deleteInstanceStore) => Inner.DeleteAsync(deleteInstanceStore);

    public virtual bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        Inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public virtual int GetDelayInSecondsAfterOnProcessException(Exception exception) => Inner.GetDelayInSecondsAfterOnProcessException(exception);
    public virtual int GetDelayInSecondsAfterOnFetchException(Exception exception) => Inner.GetDelayInSecondsAfterOnFetchException(exception);

    public virtual Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
    public virtual Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => Inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public virtual Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        Inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages,
            continuedAsNewMessage, orchestrationState);
    public virtual Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public virtual Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public virtual Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
    public virtual Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => Inner.RenewTaskActivityWorkItemLockAsync(workItem);
    public virtual Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        Inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    public virtual Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => Inner.AbandonTaskActivityWorkItemAsync(workItem);
}

/// <summary>
/// Starts and stops the task hub at most once per sidecar, in that order. The sidecar (<c>TaskHubGrpcServer</c>) starts
/// the task hub only when a worker connects and stops it from an <c>async void</c> handler of ApplicationStopping, where
/// an exception ends the process; DurableTask.AzureStorage's StopAsync throws a NullReferenceException when StartAsync never
/// ran (a host stopped before its worker connected). So: a stop before any start does nothing, a start after a stop
/// does nothing, a stop waits for a start under way, and every stop shares the first one's task.
/// </summary>
public sealed class StartStopGuard(IOrchestrationService inner) : OrchestrationServiceDecorator(inner)
{
    private readonly Lock _gate = new();
    private Task? _start;
    private Task? _stop;

    public override Task StartAsync()
    {
        lock (_gate)
        {
            return _stop is not null ? Task.CompletedTask : _start ??= Inner.StartAsync();
        }
    }

    public override Task StopAsync() => StopAsync(isForced: false);

    public override Task StopAsync(bool isForced)
    {
        lock (_gate)
        {
            return _stop ??= StopAfterStartAsync(_start, isForced);
        }
    }

    private async Task StopAfterStartAsync(Task? start, bool isForced)
    {
        if (start is null)
        {
            return;
        }

        // A start that failed has already been reported to whoever started it; there is nothing to stop then.
        await start.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (start.IsCompletedSuccessfully)
        {
            await Inner.StopAsync(isForced);
        }
    }
}
