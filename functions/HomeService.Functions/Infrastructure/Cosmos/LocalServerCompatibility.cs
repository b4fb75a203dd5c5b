using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>
/// Local Cosmos-compatible server only (Cosmos:LocalServer=true): its point-read handler answers 500
/// instead of 404 for a missing document unless the request carries the cross-partition flag, which
/// sends it down the path that does answer 404 (still scoped to the partition key). Never enabled in Azure.
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

        return base.SendAsync(request, cancellationToken);
    }
}
