using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HomeService.Functions.Hosting;

public enum TelemetryHost { FunctionsWorker, LocalHost }

public static class Telemetry
{
    /// <summary>The app's own traces and metrics (Cosmos and Azure SDK calls appear through their sources).</summary>
    public const string SourceName = "HomeService";

    /// <summary>
    /// OpenTelemetry: to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (Azure; Entra auth
    /// with the app's identity when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> names a client id), to the console
    /// when <c>Telemetry:Console</c> is true; otherwise only the console logger runs (local).
    /// </summary>
    public static IServiceCollection AddHomeServiceTelemetry(this IServiceCollection services, IConfiguration configuration, TelemetryHost host)
    {
        var connectionString = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var console = configuration.GetValue<bool>("Telemetry:Console");
        if (string.IsNullOrWhiteSpace(connectionString) && !console)
        {
            return services;
        }

        var otel = services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(SourceName, "Azure.*"))
            .WithMetrics(m => m.AddMeter(SourceName));
        if (host == TelemetryHost.FunctionsWorker)
        {
            // Invocation spans and the host's trace context on every function.
            otel.UseFunctionsWorkerDefaults();
        }

        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            otel.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                if (ClientIdOf(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) is { } clientId)
                {
                    o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }

        if (console)
        {
            otel.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter());
        }

        return services;
    }

    /// <summary>"ClientId=…;Authorization=AAD" → the client id.</summary>
    internal static string? ClientIdOf(string? authenticationString) =>
        authenticationString?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2 && kv[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase) && kv[1].Length > 0)
            .Select(kv => kv[1])
            .FirstOrDefault();
}
