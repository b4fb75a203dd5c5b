using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Payments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Orders;

/// <summary>What the mini-program needs to pay an order: the <c>wx.requestPayment</c> object and what it pays for.</summary>
/// <param name="PaymentReference">The order's number at the provider (out_trade_no).</param>
public sealed record OrderPaymentView(
    string OrderId, string PaymentReference, long AmountFen, DateTimeOffset ExpiresAt, string Provider, IReadOnlyDictionary<string, string> Parameters);

/// <summary>Starts the customer's payment of an order; the outcome arrives through <see cref="OrderPaymentEvents"/>.</summary>
public sealed class OrderPayments(OrderChanges orders, UserAccounts users, PaymentService payments, TimeProvider time)
{
    // WeChat Pay's description is at most 127 characters.
    private const int MaxDescription = 127;

    public async Task<OrderPaymentView> PayAsync(string customerId, string orderId, CancellationToken ct)
    {
        var order = await orders.GetMineAsync(customerId, orderId, ct);
        if (order.Status != OrderStatus.PendingPayment)
        {
            throw new OrderTransitionException(new OrderTransitionError(order.Status, "Pay", OrderErrorCodes.NotAllowedInState, OrderErrorKind.Conflict));
        }

        // The payment timer may not have run yet; the provider must not take money the order can no longer accept.
        var deadline = order.State.DeadlineOf(TimerKind.PaymentTimeout)?.DueAt
                       ?? throw new InvalidOperationException($"Order {orderId} is pending payment without a payment deadline.");
        if (time.GetUtcNow() >= deadline)
        {
            throw new ConflictException("payment_expired");
        }

        var user = await users.FindAsync(customerId, ct) ?? throw new UnauthorizedException();
        if (string.IsNullOrEmpty(user.WeChatOpenId))
        {
            throw new ConflictException("wechat_login_required");
        }

        var description = order.Quantity > 1 ? $"{order.ItemName} ×{order.Quantity}" : order.ItemName;
        var reference = PaymentReference.ForOrder(order.Id);
        var pay = await payments.StartAsync(reference, order.State.PriceTotalFen,
            description.Length > MaxDescription ? description[..MaxDescription] : description, user.WeChatOpenId, deadline, ct);
        return new OrderPaymentView(order.Id, reference, order.State.PriceTotalFen, deadline, pay.Provider, pay.Parameters);
    }
}

public static class OrderPaymentEndpoints
{
    public static IEndpointRouteBuilder MapOrderPaymentEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/customer/orders").WithTags("Booking").RequireAuthorization(Roles.Customer)
            .MapPost("/{id}/pay", async Task<Ok<OrderPaymentView>> (string id, HttpContext http, OrderPayments payments, CancellationToken ct) =>
                TypedResults.Ok(await payments.PayAsync(http.User.UserId(), id, ct)))
            .WithSummary("Pay my order (PendingPayment only): the wx.requestPayment parameters for the order total, valid until the payment deadline; "
                         + "repeating it answers the same prepay")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }
}
