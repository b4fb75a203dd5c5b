using Microsoft.Net.Http.Headers;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>HTTP ETag ↔ Cosmos _etag: the Cosmos ETag is served as a strong HTTP ETag and expected back in If-Match.</summary>
public static class ETags
{
    public static string ToHeader(string cosmosETag) =>
        cosmosETag.StartsWith('"') ? cosmosETag : $"\"{cosmosETag}\"";

    /// <summary>The ETag the client sent in If-Match, as Cosmos expects it; 428 when absent.</summary>
    public static string RequireIfMatch(HttpRequest request)
    {
        var raw = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new PreconditionRequiredException();
        }

        if (!EntityTagHeaderValue.TryParse(raw, out var tag) || tag.IsWeak || tag.Tag == "*")
        {
            throw ValidationFailedException.For("If-Match", "invalid_etag");
        }

        // Cosmos ETags are quoted GUID-like strings; keep the quotes, as the SDK compares them verbatim.
        return tag.Tag.ToString();
    }

    public static void Set(HttpResponse response, string? cosmosETag)
    {
        if (!string.IsNullOrEmpty(cosmosETag))
        {
            response.Headers.ETag = ToHeader(cosmosETag);
        }
    }
}

public sealed class PreconditionRequiredException()
    : AppException(StatusCodes.Status428PreconditionRequired, "precondition_required");
