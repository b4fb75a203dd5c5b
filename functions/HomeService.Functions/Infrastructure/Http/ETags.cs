using System.Buffers.Text;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// HTTP ETag ↔ Cosmos _etag. The Cosmos value is served as an opaque strong ETag (base64url of the exact
/// value, whatever quoting the server uses) and decoded back from If-Match, so it round-trips byte for byte.
/// </summary>
public static class ETags
{
    public static string ToHeader(string cosmosETag) => $"\"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(cosmosETag))}\"";

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

        var opaque = tag.Tag.ToString().Trim('"');
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(opaque));
        }
        catch (FormatException)
        {
            throw ValidationFailedException.For("If-Match", "invalid_etag");
        }
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
