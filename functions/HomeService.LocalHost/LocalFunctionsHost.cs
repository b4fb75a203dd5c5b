using HomeService.Functions.Hosting;
using Microsoft.AspNetCore.Routing.Patterns;

namespace HomeService.LocalHost;

public static class LocalFunctionsHost
{
    public static IServiceCollection AddLocalFunctionsHost(this IServiceCollection services, IConfiguration configuration)
    {
        LocalFunctionInvoker.Validate(FunctionCatalog.All);
        services.Configure<LocalHostOptions>(configuration.GetSection(LocalHostOptions.Section));
        services.AddSingleton(_ => HostJson.Load());
        services.AddSingleton<LocalFunctionInvoker>();
        services.AddSingleton<LocalTimers>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalTimers>());
        services.AddSingleton<LocalQueues>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalQueues>());
        services.AddLocalDurable(configuration);
        return services;
    }

    /// <summary>
    /// Each HTTP function at host.json's routePrefix + its route and methods, as the Functions host routes them (and as the
    /// worker's ASP.NET Core integration maps them: plain request delegates, so the OpenAPI document lists only the API).
    /// </summary>
    public static IApplicationBuilder UseLocalFunctions(this IApplicationBuilder app)
    {
        var hostJson = app.ApplicationServices.GetRequiredService<HostJson>();
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            foreach (var function in FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Http))
            {
                endpoints.Map(RoutePatternFactory.Parse(RouteOf(hostJson, function)), http => InvokeAsync(function, http))
                    .WithMetadata(new HttpMethodMetadata(function.HttpMethods!), function)
                    .WithDisplayName(function.Name);
            }
        });
        return app;
    }

    /// <summary>The path an HTTP function answers at: "{routePrefix}/{route}", the route defaulting to the function name.</summary>
    public static string RouteOf(HostJson hostJson, FunctionDescriptor function) =>
        $"{hostJson.RoutePrefix}/{function.Route ?? function.Name}";

    private static async Task InvokeAsync(FunctionDescriptor function, HttpContext http)
    {
        var run = await http.RequestServices.GetRequiredService<LocalFunctionInvoker>().InvokeHttpAsync(function, http);
        switch (run)
        {
            case { Succeeded: true, ReturnValue: IResult result }:
                await result.ExecuteAsync(http);
                break;
            case { Succeeded: false } when !http.Response.HasStarted:
                // What the Functions host answers for a function that threw.
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                break;
        }
    }
}
