using System.Text;
using HomeService.Functions.Payments.Sandbox;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Payments;

public static class PaymentEndpoints
{
    public const string NotifyPath = "/api/payments/wechatpay/notify";

    // Real notifications are a few KB; anything far larger is not one.
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder routes, IHostEnvironment environment)
    {
        // Anonymous: WeChat Pay calls it; trust comes from the signature, checked by the provider.
        routes.MapPost(NotifyPath, async Task<JsonHttpResult<NotifyAnswer>> (HttpRequest request, PaymentCallbacks callbacks, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync(request, ct);
            if (body is null)
            {
                return TypedResults.Json(NotifyAnswer.Fail("body too large"), statusCode: StatusCodes.Status401Unauthorized);
            }

            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var outcome = await callbacks.ProcessAsync(new PaymentCallback(headers, body), request.HttpContext.RequestServices, ct);
            return TypedResults.Json(outcome.Answer, statusCode: outcome.Status);
        }).AllowAnonymous().WithTags("Payments").WithSummary("WeChat Pay payment and refund notifications (called by WeChat Pay)")
            // WeChat Pay's own answer format: 401 rejects a bad signature, 500/503 ask WeChat Pay to deliver again.
            .Produces<NotifyAnswer>(StatusCodes.Status401Unauthorized).Produces<NotifyAnswer>(StatusCodes.Status500InternalServerError)
            .Produces<NotifyAnswer>(StatusCodes.Status503ServiceUnavailable);

        var isService = routes.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        if (environment.IsDevelopment() && isService.IsService(typeof(WeChatPaySandbox)))
        {
            routes.MapSandboxPaymentEndpoints();
        }

        return routes;
    }

    /// <summary>The raw body exactly as sent (the signature covers it byte for byte); null when over the limit.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }

        return total > MaxBodyBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }
}
