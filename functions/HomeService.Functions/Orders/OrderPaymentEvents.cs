using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Money;
using HomeService.Functions.Notifications;
using HomeService.Functions.Payments;

namespace HomeService.Functions.Orders;

/// <summary>
/// Verified payment and refund notifications into the order lifecycle and the ledger. Idempotent: the lifecycle
/// decides a repeated command into no events, and every ledger posting and admin alert has an id from its cause,
/// so a replayed notification changes nothing. A notification the order refuses (wrong amount, a second payment)
/// is answered as handled — the provider would only send it again — after it is recorded and put before an admin.
/// </summary>
public sealed class OrderPaymentEvents(
    OrderLifecycle lifecycle, SettlementService settlement, MessageCenter center, TimeProvider time, ILogger<OrderPaymentEvents> logger)
    : IPaymentEvents
{
    public const string AlertCategory = "payment";

    public async Task HandleAsync(PaymentNotification notification, CancellationToken cancellationToken)
    {
        var orderId = PaymentReference.OrderIdOf(notification.OrderId);
        if (await lifecycle.FindAsync(orderId, cancellationToken) is null)
        {
            logger.LogError("{Kind} notification {EventId} names unknown order {OrderId}", notification.Kind, notification.EventId, orderId);
            await AlertAsync(notification, orderId, "payment.unknown-order", cancellationToken);
            return;
        }

        switch (notification.Kind)
        {
            case PaymentNotificationKind.Paid:
                await PaidAsync(notification, orderId, cancellationToken);
                break;
            case PaymentNotificationKind.PaymentFailed:
                // The customer may pay again until the payment deadline; the payment timer closes the order otherwise.
                logger.LogInformation("Payment of order {OrderId} failed at the provider ({State}); the order stays pending", orderId, notification.ProviderState);
                break;
            case PaymentNotificationKind.Refunded:
                await RefundedAsync(notification, orderId, cancellationToken);
                break;
            case PaymentNotificationKind.RefundFailed or PaymentNotificationKind.RefundClosed:
                await RefundFailedAsync(orderId, RefundIdOf(notification), notification.ProviderState, OccurredAt(notification), cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(notification), notification.Kind, "Unknown payment notification kind.");
        }
    }

    /// <summary>
    /// A refund the provider will not make: the ledger's refund is reversed (the money is owed from where it was
    /// again) and the order records the failure, which alerts the admins; a new refund request may then retry.
    /// Also used when the provider refuses a refund request outright.
    /// </summary>
    public async Task RefundFailedAsync(string orderId, string refundId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        await settlement.RefundFailedAsync(orderId, refundId, at, ct);
        try
        {
            await lifecycle.ExecuteAsync(orderId, (_, now) => new RefundFailed(refundId, reason, now), ct);
            logger.LogWarning("Refund {RefundId} of order {OrderId} failed: {Reason}", refundId, orderId, reason);
        }
        catch (OrderTransitionException e)
        {
            logger.LogError("Refund failure {RefundId} of order {OrderId} refused by the order: {Error}", refundId, orderId, e.Error.Message);
            await center.PostAsync(OrderEventHandler.AdminInbox, $"refund-failed:{orderId}:{refundId}", AlertCategory,
                "payment.refund-unmatched", orderId, ct);
        }
    }

    private async Task PaidAsync(PaymentNotification n, string orderId, CancellationToken ct)
    {
        // The money is at the provider whatever the order makes of it, so the ledger records it first.
        await settlement.PaymentCapturedAsync(orderId, n.AmountFen, OccurredAt(n), ct);
        try
        {
            var order = await lifecycle.ExecuteAsync(orderId, (_, now) => new ConfirmPayment(n.ProviderTransactionId, n.AmountFen, now), ct);
            logger.LogInformation("Payment {TransactionId} of {AmountFen} fen applied to order {OrderId}: {Status}",
                n.ProviderTransactionId, n.AmountFen, orderId, order.Status);
        }
        catch (OrderTransitionException e)
        {
            // Never accepted silently: the order stays as it is (a pending one still times out), the capture stays in
            // clearing, and an admin decides (refund by hand through the provider).
            var key = e.Error.Code == OrderErrorCodes.AmountMismatch ? "payment.amount-mismatch" : "payment.unmatched";
            logger.LogError("Payment {TransactionId} of {AmountFen} fen for order {OrderId} refused: {Error}",
                n.ProviderTransactionId, n.AmountFen, orderId, e.Error.Message);
            await AlertAsync(n, orderId, key, ct);
        }
    }

    private async Task RefundedAsync(PaymentNotification n, string orderId, CancellationToken ct)
    {
        var refundId = RefundIdOf(n);
        // The customer has the money: refunds payable → cash, whatever the order says about it.
        await settlement.RefundPaidOutAsync(orderId, refundId, n.AmountFen, OccurredAt(n), ct);
        try
        {
            var order = await lifecycle.ExecuteAsync(orderId, (_, now) => new RefundSucceeded(refundId, n.AmountFen, now), ct);
            logger.LogInformation("Refund {RefundId} of {AmountFen} fen reached the customer of order {OrderId}: {Status}", refundId, n.AmountFen, orderId, order.Status);
        }
        catch (OrderTransitionException e)
        {
            logger.LogError("Refund {RefundId} of {AmountFen} fen for order {OrderId} refused by the order: {Error}", refundId, n.AmountFen, orderId, e.Error.Message);
            await AlertAsync(n, orderId, "payment.refund-unmatched", ct);
        }
    }

    private Task AlertAsync(PaymentNotification n, string orderId, string key, CancellationToken ct) =>
        center.PostAsync(OrderEventHandler.AdminInbox, $"payment:{n.Kind}:{orderId}:{n.ProviderTransactionId}:{n.RefundId}", AlertCategory, key, orderId, ct);

    private static string RefundIdOf(PaymentNotification n) =>
        n.RefundId ?? throw new InvalidDataException($"{n.Kind} notification {n.EventId} carries no refund id.");

    private DateTimeOffset OccurredAt(PaymentNotification n) => n.OccurredAt ?? time.GetUtcNow();
}
