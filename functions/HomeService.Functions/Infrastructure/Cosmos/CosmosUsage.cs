using System.Diagnostics.Metrics;
using System.Globalization;
using HomeService.Functions.Hosting;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>Cosmos requests, response bytes and request units of one scope (an API call), counted by <see cref="CosmosRequestMeter"/>.</summary>
public sealed class CosmosUsage
{
    private long _requests;
    private long _bytes;
    private long _chargeMilli;

    public long Requests => Interlocked.Read(ref _requests);
    public long ResponseBytes => Interlocked.Read(ref _bytes);
    public double RequestCharge => Interlocked.Read(ref _chargeMilli) / 1000d;

    internal void Add(long bytes, double charge)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _chargeMilli, (long)Math.Round(charge * 1000));
    }
}

/// <summary>
/// Counts every request the Cosmos client sends, on the client's own handler chain: into the metrics of
/// <see cref="Telemetry.SourceName"/> (homeservice.cosmos.requests / .response_bytes / .request_units) and into the
/// <see cref="CosmosUsage"/> of the current scope (<see cref="Begin"/>), which flows with the async calls of one API call.
/// Response bytes are those of the response body as the gateway sent it.
/// </summary>
public sealed class CosmosRequestMeter : RequestHandler
{
    private static readonly AsyncLocal<CosmosUsage?> Current = new();
    private static readonly Meter Meter = new(Telemetry.SourceName);
    private static readonly Counter<long> RequestCounter = Meter.CreateCounter<long>("homeservice.cosmos.requests");
    private static readonly Counter<long> ByteCounter = Meter.CreateCounter<long>("homeservice.cosmos.response_bytes", "By");
    private static readonly Counter<double> ChargeCounter = Meter.CreateCounter<double>("homeservice.cosmos.request_units");
    private static long _processRequests;

    /// <summary>Every request the process's Cosmos clients have sent since it started (start-up work included).</summary>
    public static long ProcessRequests => Interlocked.Read(ref _processRequests);

    /// <summary>Starts counting for the current async flow (one API call); the returned usage fills as requests complete.</summary>
    public static CosmosUsage Begin() => Current.Value = new CosmosUsage();

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var bytes = response.Content is { CanSeek: true } content ? content.Length
            : long.TryParse(response.Headers["Content-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : 0;
        var charge = response.Headers.RequestCharge;
        RequestCounter.Add(1);
        Interlocked.Increment(ref _processRequests);
        ByteCounter.Add(bytes);
        ChargeCounter.Add(charge);
        Current.Value?.Add(bytes, charge);
        return response;
    }
}

public static class CosmosUsageHeaders
{
    public const string Requests = "X-Cosmos-Requests";
    public const string ResponseBytes = "X-Cosmos-Response-Bytes";
    public const string RequestCharge = "X-Cosmos-Request-Charge";

    /// <summary>The requests the whole process had made (<see cref="CosmosRequestMeter.ProcessRequests"/>): what start-up cost, on the first answer.</summary>
    public const string ProcessRequests = "X-Cosmos-Process-Requests";

    /// <summary>
    /// With <c>Diagnostics:CosmosUsageHeaders</c> true (benchmarks, local measurement; off by default), every API
    /// response carries the Cosmos requests, response bytes and request units the call had made when it started answering.
    /// </summary>
    public static IApplicationBuilder UseCosmosUsageHeaders(this IApplicationBuilder app, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>("Diagnostics:CosmosUsageHeaders"))
        {
            return app;
        }

        app.Use(async (context, next) =>
        {
            var usage = CosmosRequestMeter.Begin();
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Requests] = usage.Requests.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers[ResponseBytes] = usage.ResponseBytes.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers[RequestCharge] = usage.RequestCharge.ToString("0.##", CultureInfo.InvariantCulture);
                context.Response.Headers[ProcessRequests] = CosmosRequestMeter.ProcessRequests.ToString(CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            await next(context);
        });
        return app;
    }
}
