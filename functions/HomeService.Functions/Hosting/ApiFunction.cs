using HomeService.Functions.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Hosting;

/// <summary>
/// The one HTTP-trigger function: every /api/** request goes to <see cref="ApiPipeline"/>. One catch-all rather than
/// one function per audience: Flex Consumption scales all HTTP triggers of an app as one group, so splitting buys no
/// isolation, and the endpoint table stays the only place that knows the routes (including their 404s).
/// </summary>
public sealed class ApiFunction(ApiPipeline pipeline, DurableClientAccessor durable, ILogger<ApiFunction> logger)
{
    public const string Name = "api";

    /// <summary>With host.json's empty routePrefix this is /api/{*path}: the API's own paths, unchanged.</summary>
    public const string Route = "api/{*path}";

    [Function(Name)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = Route)] HttpRequest request,
        [DurableClient] DurableTaskClient orchestrations,
        FunctionContext context)
    {
        // Commands start and signal order orchestrations through the one port, which needs this invocation's client.
        // (Absent only on a local host run without a Durable engine.)
        if (orchestrations is not null)
        {
            durable.Bind(orchestrations);
        }
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InvocationId"] = context.InvocationId });
        await pipeline.HandleAsync(request.HttpContext);
        // The pipeline wrote the response; nothing is left for the worker to write.
        return Results.Empty;
    }
}
