using Cronos;
using HomeService.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace HomeService.LocalHost;

/// <summary>Fires each timer function on its NCRONTAB schedule (UTC, with seconds), as the Functions host does.</summary>
public sealed class LocalTimers(LocalFunctionInvoker invoker, TimeProvider time, IOptions<LocalHostOptions> options, ILogger<LocalTimers> logger)
    : BackgroundService
{
    /// <summary>The host's threshold for calling a late run "past due".</summary>
    private static readonly TimeSpan PastDueAfter = TimeSpan.FromMinutes(1);

    /// <summary>The timer functions this host fires.</summary>
    public IReadOnlyList<FunctionDescriptor> Functions { get; } = [.. FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Timer)];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.RunTimers ? Task.WhenAll(Functions.Select(f => RunAsync(f, stoppingToken))) : Task.CompletedTask;

    private async Task RunAsync(FunctionDescriptor function, CancellationToken ct)
    {
        var schedule = CronExpression.Parse(function.Schedule!, CronFormat.IncludeSeconds);
        DateTimeOffset? last = null;
        logger.LogInformation("Timer {FunctionName} scheduled with {Schedule}", function.Name, function.Schedule);
        if (function.RunOnStartup)
        {
            last = await FireAsync(function, schedule, time.GetUtcNow(), last, ct);
        }

        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (schedule.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            try
            {
                await Task.Delay(next - now, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            last = await FireAsync(function, schedule, next, last, ct);
        }
    }

    private async Task<DateTimeOffset> FireAsync(FunctionDescriptor function, CronExpression schedule, DateTimeOffset due, DateTimeOffset? last, CancellationToken ct)
    {
        var firedAt = time.GetUtcNow();
        var timer = new TimerInfo
        {
            IsPastDue = firedAt - due > PastDueAfter,
            ScheduleStatus = new ScheduleStatus
            {
                Last = (last ?? DateTimeOffset.MinValue).UtcDateTime,
                Next = (schedule.GetNextOccurrence(firedAt, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue).UtcDateTime,
                LastUpdated = firedAt.UtcDateTime,
            },
        };
        // A failed run is logged by the invoker; like the host, the next occurrence runs as scheduled.
        await invoker.InvokeTimerAsync(function.Name, timer, ct);
        return firedAt;
    }
}
