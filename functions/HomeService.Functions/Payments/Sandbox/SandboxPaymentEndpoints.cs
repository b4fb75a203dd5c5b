using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Payments.Sandbox;

public sealed record SandboxPaymentRequest(long? AmountFen);

/// <summary>What the sandbox sent to the notify path and what that path answered.</summary>
public sealed record SandboxNotificationSent(string EventId, string EventType, PaymentNotificationKind? Kind, int CallbackStatus, NotifyAnswer CallbackAnswer);

/// <summary>
/// Development + Sandbox only: complete or fail payments and refunds. Each builds the encrypted, signed notification
/// WeChat Pay would send and runs it through <see cref="PaymentCallbacks.ProcessAsync"/>, the notify endpoint's own path;
/// the answer carries the callback's status.
/// </summary>
public static class SandboxPaymentEndpoints
{
    public static IEndpointRouteBuilder MapSandboxPaymentEndpoints(this IEndpointRouteBuilder routes)
    {
        var dev = routes.MapGroup("/api/dev").WithTags("Development").RequireLoopback();

        // The payer is the WeChat user who opened the prepay: only they may complete or fail it.
        dev.MapPost("/payments/{orderId}/succeed", (string orderId, SandboxPaymentRequest? request, WeChatPaySandbox sandbox, PaymentCallbacks callbacks, HttpContext http, CancellationToken ct) =>
            SendAsync(sandbox.PaymentSucceeded(PayersOwn(orderId, sandbox, http), request?.AmountFen), callbacks, http, ct))
            .RequireAuthorization()
            .WithSummary("Sandbox only, from this machine, by the payer: the payer pays (optionally another amount); WeChat Pay's TRANSACTION.SUCCESS goes through the notify path");

        dev.MapPost("/payments/{orderId}/fail", (string orderId, WeChatPaySandbox sandbox, PaymentCallbacks callbacks, HttpContext http, CancellationToken ct) =>
            SendAsync(sandbox.PaymentFailed(PayersOwn(orderId, sandbox, http)), callbacks, http, ct))
            .RequireAuthorization()
            .WithSummary("Sandbox only, from this machine, by the payer: the payment fails (PAYERROR) through the notify path");

        dev.MapPost("/refunds/{refundId}/succeed", (string refundId, WeChatPaySandbox sandbox, PaymentCallbacks callbacks, HttpContext http, CancellationToken ct) =>
            SendAsync(sandbox.RefundSucceeded(refundId), callbacks, http, ct))
            .WithSummary("Sandbox only: a requested refund completes (REFUND.SUCCESS) through the notify path");

        dev.MapPost("/refunds/{refundId}/fail", (string refundId, WeChatPaySandbox sandbox, PaymentCallbacks callbacks, HttpContext http, CancellationToken ct) =>
            SendAsync(sandbox.RefundFailed(refundId), callbacks, http, ct))
            .WithSummary("Sandbox only: a requested refund fails (REFUND.ABNORMAL) through the notify path");

        return routes;
    }

    /// <summary>The payment reference, when the caller is the transaction's payer; another caller's is 404, as an unknown one.</summary>
    private static string PayersOwn(string orderId, WeChatPaySandbox sandbox, HttpContext http)
    {
        var transaction = sandbox.FindTransaction(orderId);
        if (transaction is not null && transaction.PayerOpenId != http.User.WeChatOpenId())
        {
            throw new NotFoundException("res.payment", orderId);
        }

        return orderId;
    }

    private static async Task<JsonHttpResult<SandboxNotificationSent>> SendAsync(PaymentCallback callback, PaymentCallbacks callbacks, HttpContext http, CancellationToken ct)
    {
        var outcome = await callbacks.ProcessAsync(callback, http.RequestServices, ct);
        using var envelope = System.Text.Json.JsonDocument.Parse(callback.Body);
        var sent = new SandboxNotificationSent(
            envelope.RootElement.GetProperty("id").GetString()!,
            envelope.RootElement.GetProperty("event_type").GetString()!,
            outcome.Notification?.Kind, outcome.Status, outcome.Answer);
        return TypedResults.Json(sent, statusCode: outcome.Status);
    }
}
