namespace HomeService.Domain.Booking;

/// <summary>Per-city cancellation rules after a worker has accepted.</summary>
/// <param name="FreeHoursBeforeStart">Cancelling more than this many hours before the start is free.</param>
/// <param name="FeePercent">Fee inside that window, as a percent (0..100) of the paid total.</param>
public sealed record CancellationPolicy(int FreeHoursBeforeStart, int FeePercent, long? MinFeeFen = null, long? MaxFeeFen = null);

public enum OrderProgress
{
    NotAccepted,
    Accepted,
    /// <summary>The worker has started the service; from here on cancellation is an after-sales matter.</summary>
    Started,
}

public sealed record CancellationQuote(long FeeFen, long RefundFen, string Reason);

public abstract record CancellationDecision
{
    private CancellationDecision() { }

    public sealed record Allowed(CancellationQuote Quote) : CancellationDecision;
    public sealed record NotAllowed(string Reason) : CancellationDecision;
}

public static class Cancellation
{
    public const string BeforeAcceptance = "before_acceptance";
    public const string OutsideFeeWindow = "outside_fee_window";
    public const string InsideFeeWindow = "inside_fee_window";
    public const string ServiceStarted = "service_started";

    public static CancellationDecision Decide(
        CancellationPolicy policy, OrderProgress progress, DateTimeOffset serviceStart, long paidTotalFen, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paidTotalFen);
        switch (progress)
        {
            case OrderProgress.Started:
                return new CancellationDecision.NotAllowed(ServiceStarted);
            case OrderProgress.NotAccepted:
                return Free(paidTotalFen, BeforeAcceptance);
            case OrderProgress.Accepted when serviceStart - now > TimeSpan.FromHours(policy.FreeHoursBeforeStart):
                return Free(paidTotalFen, OutsideFeeWindow);
            case OrderProgress.Accepted:
                var fee = Fee(policy, paidTotalFen);
                return new CancellationDecision.Allowed(new CancellationQuote(fee, paidTotalFen - fee, InsideFeeWindow));
            default:
                throw new ArgumentOutOfRangeException(nameof(progress), progress, "unknown order progress");
        }
    }

    /// <summary>Percent rounded down (in the customer's favour), then clamped to min/max and never above what was paid.</summary>
    public static long Fee(CancellationPolicy policy, long paidTotalFen)
    {
        var percent = Math.Clamp(policy.FeePercent, 0, 100);
        var fee = paidTotalFen / 100 * percent + paidTotalFen % 100 * percent / 100; // exact floor, no overflow
        if (policy.MinFeeFen is { } min) fee = Math.Max(fee, min);
        if (policy.MaxFeeFen is { } max) fee = Math.Min(fee, max);
        return Math.Clamp(fee, 0, paidTotalFen);
    }

    private static CancellationDecision Free(long paid, string reason) =>
        new CancellationDecision.Allowed(new CancellationQuote(0, paid, reason));
}
