using System.Globalization;
using HomeService.Domain.Money;
using HomeService.Domain.Orders;
using HomeService.Functions.Catalog;
using HomeService.Functions.Money;
using HomeService.Functions.Payments;
using HomeService.Functions.Workers;

namespace HomeService.Functions.Orders;

/// <summary>
/// The money side of an order: refunds and cancellation fees follow its events (<see cref="OrderReactions"/>), settlement is
/// the orchestration's move. Safe to run twice: the refund id comes
/// from the event's position in the order history (the provider treats a repeated out_refund_no as the same refund),
/// ledger postings are idempotent by their cause, and settling twice returns the first settlement.
/// </summary>
public sealed class OrderMoneyReactions(
    OrderLifecycle lifecycle, PaymentService payments, SettlementService settlement, OrderPaymentEvents paymentEvents,
    WorkerStore workers, CatalogStore catalog, ILogger<OrderMoneyReactions> logger)
{
    // WeChat Pay's refund reason is at most 80 characters.
    private const int MaxReason = 80;

    /// <summary>
    /// RefundRequested (cancellation after payment, late payment, after-sale): the ledger first (clearing → refunds
    /// payable, so a settlement that follows sees it), then the provider. A definite refusal by the provider is a
    /// failed refund; a transient one throws so the event is delivered again.
    /// </summary>
    public async Task RefundAsync(OrderEventMessage message, RefundRequested requested, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(message.OrderId, ct) ?? throw new InvalidOperationException($"Order {message.OrderId} is gone.");
        var refundId = RefundIdOf(message);
        await settlement.RefundAsync(order.Id, refundId, requested.AmountFen, requested.At, ct);

        var reason = requested.Reason.Length > MaxReason ? requested.Reason[..MaxReason] : requested.Reason;
        RefundAccepted accepted;
        try
        {
            accepted = await payments.RefundAsync(PaymentReference.ForOrder(order.Id), refundId, requested.AmountFen, order.State.PaidFen, reason, ct);
        }
        catch (PaymentProviderException e) when (!e.IsRetryable)
        {
            logger.LogError(e, "Refund {RefundId} of order {OrderId} refused by {Provider}: {Code}", refundId, order.Id, e.Provider, e.Code);
            await paymentEvents.RefundFailedAsync(order.Id, refundId, e.Code, requested.At, ct);
            return;
        }

        if (accepted.Progress is RefundProgress.Closed or RefundProgress.Abnormal)
        {
            await paymentEvents.RefundFailedAsync(order.Id, refundId, accepted.Progress.ToString(), requested.At, ct);
        }
    }

    /// <summary>
    /// The orchestration's settle move, once the complaint window has closed (the order's <c>SettlementIsDue</c>): split
    /// what is left of the payment between platform, merchant and worker, then mark the order settled. Everything comes
    /// from the stored order — its worker, what was paid and refunded — never from a message; the merchant is the worker
    /// document's and the rate the item's category's. An order that is not due (or already settled) is left as it is.
    /// </summary>
    public async Task SettleAsync(string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct) ?? throw new InvalidOperationException($"Order {orderId} is gone.");
        if (!order.State.SettlementIsDue || order.Status == OrderStatus.Settled)
        {
            logger.LogWarning("Order {OrderId} is not due for settlement ({Status}); nothing settled", orderId, order.Status);
            return;
        }

        if (order.State.CurrentWorkerId is not { } workerId)
        {
            // The decider only makes settlement due for served orders, which always have a worker.
            throw new InvalidOperationException($"Settlement of order {order.Id} is due but it has no worker.");
        }

        var settleableFen = order.State.PaidFen - order.State.RefundedFen;
        var at = order.History.OfType<SettlementBecameDue>().LastOrDefault()?.At ?? order.UpdatedAt ?? order.CreatedAt;

        var worker = await workers.FindAsync(workerId, ct);
        var item = await catalog.FindAsync<ItemDocument>(ItemDocument.Kind, order.ItemId, ct);
        if (item is null)
        {
            logger.LogWarning("Item {ItemId} of order {OrderId} is gone; settling at the city rate", order.ItemId, order.Id);
        }

        var paid = order.State.PaidFen;
        if (settleableFen > 0)
        {
            var outcome = await settlement.SettleAsync(order.Id, paid, paid - settleableFen, order.CityId, item?.Document.CategoryId ?? "",
                workerId, worker?.MerchantId, at, ct);
            logger.LogInformation("Order {OrderId} settled: {WorkerFen} fen to worker {WorkerId}, {MerchantFen} to the merchant, {CommissionFen} commission",
                order.Id, outcome.WorkerFen, workerId, outcome.MerchantFen, outcome.CommissionFen);
        }

        await lifecycle.ExecuteAsync(order.Id, (_, now) => new MarkSettled(SettlementCalculator.TransactionId(order.Id), now), ct);
    }

    /// <summary>The refund a RefundRequested event asks for: its id is the event's position in the order's history.</summary>
    /// <summary>
    /// A cancellation fee kept from a paid order is settled like served work: the worker whose time was blocked gets
    /// it less the commission. Runs once the refund of the rest has completed (or at the cancellation when nothing is
    /// refunded); idempotent through the settlement's id (<c>settle:{order}</c>).
    /// </summary>
    public async Task SettleCancellationFeeAsync(string orderId, DateTimeOffset at, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct);
        // The cancellation names the worker who held the order (the state lets go of them).
        var cancelled = order?.History.OfType<OrderCancelled>().LastOrDefault();
        if (order is null || cancelled is null || order.State.CancellationFeeFen <= 0 || order.State.RefundPendingFen > 0 ||
            cancelled.WorkerId is not { } workerId)
        {
            return;
        }

        var worker = await workers.FindAsync(workerId, ct);
        var item = await catalog.FindAsync<ItemDocument>(ItemDocument.Kind, order.ItemId, ct);
        var paid = order.State.PaidFen;
        var outcome = await settlement.SettleAsync(order.Id, paid, paid - order.State.CancellationFeeFen, order.CityId,
            item?.Document.CategoryId ?? "", workerId, worker?.MerchantId, at, ct);
        logger.LogInformation("Cancellation fee of order {OrderId} settled: {WorkerFen} fen to worker {WorkerId}, {CommissionFen} commission",
            order.Id, outcome.WorkerFen, workerId, outcome.CommissionFen);
    }

    public static string RefundIdOf(OrderEventMessage message) =>
        PaymentReference.ForRefund(message.OrderId, int.Parse(message.Id[(message.Id.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
}
