using HomeService.Domain.Orders;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Booking;

/// <summary>The same Idempotency-Key came with a different request body.</summary>
public sealed class IdempotencyKeyReusedException()
    : AppException(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused");

/// <summary>The decider refused a command: 409 naming the state, 403 or 400 by the error's kind.</summary>
public sealed class OrderTransitionException(OrderTransitionError error) : AppException(
    error.Kind switch
    {
        OrderErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        OrderErrorKind.Invalid => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status409Conflict,
    },
    error.Code, error.Command, error.CurrentStatus.ToString())
{
    public OrderTransitionError Error { get; } = error;
}
