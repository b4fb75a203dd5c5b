using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>
/// Local Cosmos-compatible server only (Cosmos:LocalServer=true); never enabled in Azure. It smooths two
/// differences from Cosmos:
/// - its point-read handler answers 500 instead of 404 for a missing document unless the request carries the
///   cross-partition flag, which sends it down the path that does answer 404 (still scoped to the partition key);
/// - its ETags are bare UUIDs where Cosmos's are quoted strings. The HTTP layer always serves and accepts the
///   quoted form (<see cref="Http.ETags"/>), so the quotes are taken off If-Match before it reaches this server.
/// </summary>
internal sealed class LocalServerCompatibility : RequestHandler
{
    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.OriginalString ?? "";
        var docs = path.LastIndexOf("/docs/", StringComparison.Ordinal);
        if (request.Method == HttpMethod.Get && docs >= 0 && path.Length > docs + "/docs/".Length)
        {
            request.Headers.Set("x-ms-documentdb-query-enablecrosspartition", "true");
        }

        var ifMatch = request.Headers.Get("If-Match");
        if (ifMatch is { Length: >= 2 } && ifMatch.StartsWith('"') && ifMatch.EndsWith('"'))
        {
            request.Headers.Set("If-Match", ifMatch[1..^1]);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
