namespace HomeService.Functions.Payments;

/// <summary>
/// Where verified payment and refund notifications go (the order lifecycle implements it).
/// Providers deliver at least once and retry until answered with success, so an implementation must be
/// idempotent: the same notification (same <see cref="PaymentNotification.EventId"/>, or the same
/// OrderId + Kind + RefundId) delivered again changes nothing and returns normally.
/// Throw only for a transient failure on our side: the callback then answers 500 and the provider retries.
/// </summary>
public interface IPaymentEvents
{
    Task HandleAsync(PaymentNotification notification, CancellationToken cancellationToken);
}
