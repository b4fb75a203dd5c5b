using HomeService.Functions.Admin;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Hosting;

/// <summary>
/// The whole public API as one ASP.NET Core pipeline: routing, ProblemDetails, rate limiting, JWT auth, the
/// admin audit and the endpoint table. Built once from the app's services; the HTTP function hands every
/// request to it, under the Functions host and on the local host alike.
/// </summary>
public sealed class ApiPipeline
{
    private readonly RequestDelegate _pipeline;

    public ApiPipeline(IServiceProvider services)
    {
        var environment = services.GetRequiredService<IHostEnvironment>();
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var app = new ApplicationBuilder(services);
        IEndpointRouteBuilder? routes = null;
        app.UseCosmosUsageHeaders(services.GetRequiredService<IConfiguration>());
        app.UseRouting();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAdminAudit();
        app.UseEndpoints(endpoints =>
        {
            routes = endpoints;
            endpoints.MapHomeServiceApi(environment, auth);
        });
        _pipeline = app.Build();
        Endpoints = routes!.DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToArray();
    }

    /// <summary>Every endpoint of the API (what the OpenAPI document describes).</summary>
    public IReadOnlyList<RouteEndpoint> Endpoints { get; }

    public Task HandleAsync(HttpContext context)
    {
        // The host's own routing matched the HTTP function's catch-all route; the API routes the request again itself.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        return _pipeline(context);
    }
}
