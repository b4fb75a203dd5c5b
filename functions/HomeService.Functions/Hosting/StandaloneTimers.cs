using System.Text.Json;
using Cronos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Hosting;

/// <summary>Standalone mode: fires each timer function on its NCRONTAB schedule (UTC), as the host would.</summary>
public sealed class StandaloneTimers(FunctionInvoker invoker, TimeProvider time, IOptions<HostingOptions> options, ILogger<StandaloneTimers> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IsStandalone || !options.Value.RunTimers)
        {
            return Task.CompletedTask;
        }

        var timers = FunctionRegistry.All.Where(f => f.Trigger == TriggerKind.Timer).Select(f => RunAsync(f, stoppingToken));
        return Task.WhenAll(timers);
    }

    private async Task RunAsync(FunctionDefinition function, CancellationToken ct)
    {
        var schedule = CronExpression.Parse(function.Schedule!, CronFormat.IncludeSeconds);
        DateTimeOffset? last = null;
        logger.LogInformation("Standalone timer {FunctionName} scheduled with {Schedule}", function.Name, function.Schedule);
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = schedule.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                await Task.Delay(next.Value - now, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var firedAt = time.GetUtcNow();
            var following = schedule.GetNextOccurrence(firedAt, TimeZoneInfo.Utc);
            var timerInfo = JsonSerializer.SerializeToElement(new
            {
                Schedule = new { AdjustForDST = true },
                ScheduleStatus = new { Last = last ?? DateTimeOffset.MinValue, Next = following, LastUpdated = firedAt },
                IsPastDue = firedAt - next.Value > TimeSpan.FromMinutes(1),
            });
            var metadata = JsonSerializer.SerializeToElement(new { sys = new { MethodName = function.Name, UtcNow = firedAt } });
            await invoker.InvokeAsync(function, timerInfo, metadata, Guid.NewGuid().ToString(), ct);
            last = firedAt;
        }
    }
}
