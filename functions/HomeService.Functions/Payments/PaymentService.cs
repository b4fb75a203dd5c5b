namespace HomeService.Functions.Payments;

/// <summary>What the order lifecycle calls to take and return money; the outcome arrives later through <see cref="IPaymentEvents"/>.</summary>
public sealed class PaymentService(IPaymentProvider provider, ILogger<PaymentService> logger)
{
    /// <summary>Creates the provider-side payment; the result is the object the mini-program passes to <c>wx.requestPayment</c>.
    /// Safe to repeat for the same order (the provider keys on the order id).</summary>
    public async Task<ClientPayParameters> StartAsync(string orderId, long amountFen, string description, string payerOpenId,
        DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var parameters = await provider.CreatePaymentAsync(new CreatePaymentRequest(orderId, amountFen, description, payerOpenId, expiresAt), cancellationToken);
        logger.LogInformation("Payment of {AmountFen} fen for order {OrderId} started with {Provider}", amountFen, orderId, provider.Name);
        return parameters;
    }

    /// <summary>Asks for a full or partial refund; safe to repeat with the same refund id.</summary>
    public async Task<RefundAccepted> RefundAsync(string orderId, string refundId, long refundFen, long totalFen, string? reason,
        CancellationToken cancellationToken)
    {
        var accepted = await provider.RequestRefundAsync(new RefundRequest(orderId, refundId, refundFen, totalFen, reason), cancellationToken);
        logger.LogInformation("Refund {RefundId} of {RefundFen}/{TotalFen} fen for order {OrderId} accepted by {Provider}: {Progress}",
            refundId, refundFen, totalFen, orderId, provider.Name, accepted.Progress);
        return accepted;
    }
}
