namespace HomeService.LocalHost;

/// <summary>The local host's switches; queue values default to host.json's and are overridden only by tests.</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>Fire the timer functions on their NCRONTAB schedules.</summary>
    public bool RunTimers { get; set; } = true;

    /// <summary>Poll the queues of the queue functions.</summary>
    public bool PollQueues { get; set; } = true;

    public TimeSpan? VisibilityTimeout { get; set; }
    public TimeSpan? MaxPollingInterval { get; set; }
    public int? MaxDequeueCount { get; set; }
    public int? BatchSize { get; set; }

    public QueueRules Apply(QueueRules rules) => rules with
    {
        VisibilityTimeout = VisibilityTimeout ?? rules.VisibilityTimeout,
        MaxPollingInterval = MaxPollingInterval ?? rules.MaxPollingInterval,
        MaxDequeueCount = MaxDequeueCount ?? rules.MaxDequeueCount,
        BatchSize = BatchSize ?? rules.BatchSize,
    };
}
