using System.Net;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// Development-only endpoints (sandbox SMS codes, sandbox payments) answer callers on this machine only: the connection
/// comes from a loopback address and so does every hop a proxy recorded in X-Forwarded-For. Anyone else gets the 404 of
/// an unknown route, so nothing tells a scanner they exist.
/// </summary>
public static class LoopbackOnly
{
    public static bool IsLocal(HttpContext http)
    {
        if (http.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return false;
        }

        foreach (var hop in http.Request.Headers["X-Forwarded-For"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!IPAddress.TryParse(hop, out var address) || !IPAddress.IsLoopback(address))
            {
                return false;
            }
        }

        return true;
    }

    public static TBuilder RequireLoopback<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            IsLocal(context.HttpContext) ? await next(context) : Results.NotFound());
}
