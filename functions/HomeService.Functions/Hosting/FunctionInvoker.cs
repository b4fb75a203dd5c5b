using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeService.Functions.Hosting;

public sealed record FunctionOutcome(bool Succeeded, IReadOnlyList<string> Logs, object? ReturnValue);

/// <summary>Runs a registered non-HTTP function: for the Functions host's POST and for standalone mode alike.</summary>
public sealed class FunctionInvoker(IServiceScopeFactory scopes, ILogger<FunctionInvoker> logger)
{
    public async Task<FunctionOutcome> InvokeAsync(FunctionDefinition function, JsonElement data, JsonElement metadata, string invocationId, CancellationToken ct)
    {
        var logs = new List<string>();
        using var scope = scopes.CreateScope();
        using var _ = logger.BeginScope(new Dictionary<string, object> { ["InvocationId"] = invocationId, ["FunctionName"] = function.Name });
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await function.Handler!(new FunctionInvocation(function.Name, invocationId, data, metadata, scope.ServiceProvider, logs), ct);
            logger.LogInformation("Function {FunctionName} invocation {InvocationId} succeeded in {ElapsedMs} ms",
                function.Name, invocationId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new FunctionOutcome(true, logs, result);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Function {FunctionName} invocation {InvocationId} failed", function.Name, invocationId);
            logs.Add($"{function.Name} failed: {e.GetType().Name}: {e.Message}");
            return new FunctionOutcome(false, logs, null);
        }
    }
}

/// <summary>The custom-handler contract for non-HTTP functions: POST /{FunctionName} with { Data, Metadata }.</summary>
public static class FunctionEndpoints
{
    public sealed record InvocationRequest(JsonElement Data, JsonElement Metadata);

    /// <summary>The host reads these exact names, whatever the API's JSON naming policy is.</summary>
    public sealed record InvocationResponse(
        [property: JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
        [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
        [property: JsonPropertyName("ReturnValue"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? ReturnValue);

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/{functionName}", async (string functionName, HttpContext http, FunctionInvoker invoker, CancellationToken ct) =>
        {
            // Only the local Functions host may invoke triggers; the public surface is /api/** alone.
            var remote = http.Connection.RemoteIpAddress;
            if (remote is not null && !IPAddress.IsLoopback(remote))
            {
                return Results.NotFound();
            }

            var function = FunctionRegistry.Find(functionName);
            if (function is null)
            {
                return Results.NotFound();
            }

            InvocationRequest? request;
            try
            {
                request = await http.Request.ReadFromJsonAsync<InvocationRequest>(ct);
            }
            catch (JsonException)
            {
                request = null;
            }

            if (request is null || request.Data.ValueKind != JsonValueKind.Object)
            {
                return Results.BadRequest(new InvocationResponse([], ["The invocation body must be { \"Data\": {...}, \"Metadata\": {...} }."], null));
            }

            var invocationId = http.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
            if (string.IsNullOrEmpty(invocationId))
            {
                invocationId = Guid.NewGuid().ToString();
            }

            var binding = request.Data.TryGetProperty(function.BindingName, out var value) ? value : default;
            var outcome = await invoker.InvokeAsync(function, binding, request.Metadata, invocationId, ct);
            var response = new InvocationResponse([], outcome.Logs, outcome.ReturnValue);
            // A non-2xx answer fails the invocation: the host retries a queue message and finally poisons it.
            return outcome.Succeeded ? Results.Ok(response) : Results.Json(response, statusCode: StatusCodes.Status500InternalServerError);
        }).ExcludeFromDescription();
        return routes;
    }
}
