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

        // A well-formed tag this app never issued cannot match the current version: 412, like a stale one.
        return TryDecode(tag.Tag.ToString().Trim('"'), out var cosmosETag) ? cosmosETag : throw new PreconditionFailedException();
    }

    /// <summary>Cosmos etags are short printable ASCII; anything else did not come from <see cref="ToHeader"/>.</summary>
    private static bool TryDecode(string opaque, out string cosmosETag)
    {
        cosmosETag = "";
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(opaque);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length is 0 or > 128 || bytes.Any(b => b is < 0x20 or > 0x7E))
        {
            return false;
        }

        cosmosETag = Encoding.ASCII.GetString(bytes);
        return true;
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
