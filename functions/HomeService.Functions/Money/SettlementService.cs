using HomeService.Domain.Money;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Money;

/// <summary>What a settlement posted (or found already posted).</summary>
public sealed record SettlementOutcome(string OrderId, long SettledFen, long CommissionFen, long MerchantFen, long WorkerFen, int CommissionRateBps, bool AlreadySettled);

/// <summary>
/// The order side of the ledger: payment captured, refunds, and the split at settlement. Every call is
/// idempotent by the transaction id of its cause (<c>pay:{order}</c>, <c>refund:{order}:{refund}</c>,
/// <c>settle:{order}</c>), so the order lifecycle may deliver its events at least once.
/// </summary>
public sealed class SettlementService(LedgerService ledger, MoneySettings settings, ILogger<SettlementService> logger)
{
    public const string PaidFact = "paidFen";
    public const string RefundedFact = "refundedFen";
    public const string RateFact = "commissionRateBps";
    public const string MerchantRateFact = "merchantRateBps";

    public async Task PaymentCapturedAsync(string orderId, long amountFen, DateTimeOffset at, CancellationToken ct) =>
        await ledger.PostAsync(MoneyFlows.PaymentCaptured(orderId, amountFen, at), new LedgerContext(orderId), ct);

    /// <summary>
    /// Settles an order whose complaint window has closed: commission at the city / category rate, the
    /// merchant's share when the worker belongs to one, the rest to the worker. Settling again returns the
    /// first settlement unchanged, even if the rates changed in between.
    /// </summary>
    public async Task<SettlementOutcome> SettleAsync(string orderId, long paidFen, long refundedFen, string cityId, string categoryId,
        string workerId, string? merchantId, DateTimeOffset at, CancellationToken ct)
    {
        var existing = await ledger.FindAsync(SettlementCalculator.TransactionId(orderId), ct);
        if (existing is not null)
        {
            var posted = await ledger.PostAsync(existing.ToTransaction(), new LedgerContext(orderId, Facts: existing.Facts), ct);
            return Outcome(orderId, posted, alreadySettled: true);
        }

        var commission = await settings.CommissionAsync(ct);
        var rate = commission.RateFor(cityId, categoryId);
        var merchantRate = merchantId is null ? 0 : commission.MerchantRateBps;
        var input = new SettlementInput(orderId, paidFen, refundedFen, rate, workerId, merchantId, merchantRate);
        var errors = SettlementCalculator.Validate(input);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }

        var settlement = SettlementCalculator.Settle(input, at.ToUniversalTime(), commission.Rounding);
        if (settlement.Transaction is null)
        {
            logger.LogInformation("Order {OrderId} was refunded in full; nothing to settle", orderId);
            return new SettlementOutcome(orderId, 0, 0, 0, 0, rate, false);
        }

        var facts = new Dictionary<string, long> { [PaidFact] = paidFen, [RefundedFact] = refundedFen, [RateFact] = rate, [MerchantRateFact] = merchantRate };
        var stored = await ledger.PostAsync(settlement.Transaction, new LedgerContext(orderId, Facts: facts), ct);
        logger.LogInformation("Order {OrderId} settled: commission {CommissionFen} fen, worker {WorkerId} {WorkerFen} fen",
            orderId, settlement.CommissionFen, workerId, settlement.WorkerFen);
        // A concurrent first settlement may have won the id: the stored postings are the answer either way.
        return Outcome(orderId, stored, alreadySettled: false);
    }

    /// <summary>
    /// Records a refund: taken from clearing before settlement, or back from commission, merchant and worker
    /// in proportion after it (wallets may go negative; later income repays them). The caller serialises a
    /// refund against the order's settlement (both are order-lifecycle transitions).
    /// </summary>
    public async Task RefundAsync(string orderId, string refundId, long amountFen, DateTimeOffset at, CancellationToken ct)
    {
        var refundTransactionId = MoneyFlows.RefundTransactionId(orderId, refundId);
        if (await ledger.FindAsync(refundTransactionId, ct) is { } done)
        {
            await ledger.PostAsync(done.ToTransaction(), new LedgerContext(orderId), ct);
            return;
        }

        var settlement = await ledger.FindAsync(SettlementCalculator.TransactionId(orderId), ct);
        LedgerTransaction refund;
        if (settlement is null)
        {
            refund = MoneyFlows.RefundBeforeSettlement(orderId, refundId, amountFen, at.ToUniversalTime());
        }
        else
        {
            var previous = (await ledger.ForOrderAsync(orderId, ct))
                .Where(t => t.Kind == LedgerTransactionKinds.RefundAfterSettlement)
                .Sum(t => t.Postings.Where(p => p.AmountFen > 0).Sum(p => p.AmountFen));
            var settledFen = settlement.Postings.Where(p => p.AmountFen > 0).Sum(p => p.AmountFen);
            if (previous + amountFen > settledFen)
            {
                throw new ConflictException("refund_exceeds_settlement", settledFen - previous);
            }

            refund = MoneyFlows.RefundAfterSettlement(orderId, refundId, amountFen, settlement.ToTransaction(), previous, at.ToUniversalTime());
        }

        await ledger.PostAsync(refund, new LedgerContext(orderId), ct);
    }

    /// <summary>
    /// The provider will not make the refund: its posting is reversed exactly (<c>refund-failed:{order}:{refund}</c>),
    /// so the money is back where it was and a retry under a new refund id posts afresh. Nothing to do when the
    /// refund was never posted.
    /// </summary>
    public async Task RefundFailedAsync(string orderId, string refundId, DateTimeOffset at, CancellationToken ct)
    {
        if (await ledger.FindAsync(MoneyFlows.RefundTransactionId(orderId, refundId), ct) is not { } refund)
        {
            return;
        }

        var reversal = refund.ToTransaction().Reverse($"refund-failed:{orderId}:{refundId}", at.ToUniversalTime());
        await ledger.PostAsync(reversal, new LedgerContext(orderId), ct);
        logger.LogWarning("Refund {RefundId} of order {OrderId} failed at the provider; its ledger posting was reversed", refundId, orderId);
    }

    /// <summary>The provider confirmed the refund reached the customer.</summary>
    public async Task RefundPaidOutAsync(string orderId, string refundId, long amountFen, DateTimeOffset at, CancellationToken ct) =>
        await ledger.PostAsync(MoneyFlows.RefundPaidOut(orderId, refundId, amountFen, at.ToUniversalTime()), new LedgerContext(orderId), ct);

    private static SettlementOutcome Outcome(string orderId, LedgerTransactionDocument stored, bool alreadySettled)
    {
        long Share(Func<string, bool> account) => stored.Postings.Where(p => account(p.Account) && p.AmountFen > 0).Sum(p => p.AmountFen);
        var commission = Share(a => a == LedgerAccount.PlatformRevenue.Id);
        var merchant = Share(a => a.StartsWith("merchant:", StringComparison.Ordinal));
        var worker = Share(a => a.StartsWith("worker:", StringComparison.Ordinal));
        return new SettlementOutcome(orderId, commission + merchant + worker, commission, merchant, worker,
            (int)(stored.Facts?.GetValueOrDefault(RateFact) ?? 0), alreadySettled);
    }
}
