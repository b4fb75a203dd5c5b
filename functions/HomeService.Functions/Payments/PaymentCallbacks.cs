namespace HomeService.Functions.Payments;

/// <summary>WeChat Pay's answer shape for notifications: <c>{"code":"SUCCESS"|"FAIL","message":"…"}</c>.</summary>
public sealed record NotifyAnswer(string Code, string Message)
{
    public static NotifyAnswer Success { get; } = new("SUCCESS", "成功");

    public static NotifyAnswer Fail(string message) => new("FAIL", message);
}

/// <summary>What the notify endpoint answers: the status WeChat acts on (non-2xx → it retries) and the body.</summary>
public sealed record CallbackOutcome(int Status, NotifyAnswer Answer, PaymentNotification? Notification);

/// <summary>
/// Verifies a provider callback and hands it to <see cref="IPaymentEvents"/>. The one path every callback
/// takes: the public notify endpoint and the Development sandbox endpoints both call <see cref="ProcessAsync"/>.
/// </summary>
public sealed class PaymentCallbacks(ILogger<PaymentCallbacks> logger)
{
    /// <param name="services">The request's services: the provider and the events handler are resolved per call,
    /// so the app starts (and answers 503) while no <see cref="IPaymentEvents"/> is registered.</param>
    public async Task<CallbackOutcome> ProcessAsync(PaymentCallback callback, IServiceProvider services, CancellationToken cancellationToken)
    {
        var provider = services.GetService<IPaymentProvider>();
        if (provider is null)
        {
            logger.LogError("Payment callback received but no payment provider is configured");
            return new(StatusCodes.Status503ServiceUnavailable, NotifyAnswer.Fail("payments unavailable"), null);
        }

        PaymentNotification notification;
        switch (provider.ParseCallback(callback))
        {
            case CallbackResult.Verified verified:
                notification = verified.Notification;
                break;
            case CallbackResult.Rejected rejected:
                logger.LogWarning("Rejected {Provider} callback: {Reason} ({Detail})", provider.Name, rejected.Reason, rejected.Detail);
                return new(StatusCodes.Status401Unauthorized, NotifyAnswer.Fail(rejected.Reason.ToString()), null);
            default:
                throw new InvalidOperationException("Unknown callback result.");
        }

        var events = services.GetService<IPaymentEvents>();
        if (events is null)
        {
            logger.LogError("No IPaymentEvents registered: {Kind} for order {OrderId} left for the provider to retry", notification.Kind, notification.OrderId);
            return new(StatusCodes.Status503ServiceUnavailable, NotifyAnswer.Fail("not ready"), notification);
        }

        try
        {
            await events.HandleAsync(notification, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Our failure, not the caller's: 500 makes the provider deliver the notification again later.
            logger.LogError(ex, "Handling {Kind} {EventId} for order {OrderId} failed; the provider will retry",
                notification.Kind, notification.EventId, notification.OrderId);
            return new(StatusCodes.Status500InternalServerError, NotifyAnswer.Fail("retry later"), notification);
        }

        logger.LogInformation("{Provider} {Kind} {EventId} for order {OrderId} refund {RefundId} handled",
            provider.Name, notification.Kind, notification.EventId, notification.OrderId, notification.RefundId);
        return new(StatusCodes.Status200OK, NotifyAnswer.Success, notification);
    }
}
