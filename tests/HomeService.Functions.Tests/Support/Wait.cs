namespace HomeService.Functions.Tests.Support;

/// <summary>Waits on a condition (never a fixed sleep): polls until it yields a value or the timeout passes.</summary>
public static class Wait
{
    public static async Task<T?> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (value is not null || DateTime.UtcNow >= deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }

    public static Task<T?> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : struct
        => UntilStructAsync(probe, timeout);

    private static async Task<T?> UntilStructAsync<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : struct
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (value.HasValue || DateTime.UtcNow >= deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
