using HomeService.LocalHost;
using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Tests.Support;

/// <summary>Runs a timer function as the local host's scheduler does when its schedule comes due.</summary>
public static class HostInvocations
{
    /// <summary>A timer firing at <paramref name="utcNow"/>; a run that throws fails the test with its exception.</summary>
    public static async Task<FunctionRun> InvokeTimerAsync(this ApiFactory factory, string functionName, DateTimeOffset utcNow)
    {
        var timer = new TimerInfo
        {
            IsPastDue = false,
            ScheduleStatus = new ScheduleStatus { Last = utcNow.UtcDateTime, Next = utcNow.UtcDateTime, LastUpdated = utcNow.UtcDateTime },
        };
        var run = await factory.Functions.InvokeTimerAsync(functionName, timer, CancellationToken.None);
        return run.Succeeded ? run : throw new Xunit.Sdk.XunitException($"{functionName} failed: {run.Error}");
    }
}
