using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>
/// The position a page ended at, handed to clients inside a small envelope: URL-safe, and bound to the
/// query it came from. A token replayed against different filters or sort, or one that is not ours,
/// answers 400 invalid_continuation instead of a wrong page.
/// </summary>
public static class ContinuationTokens
{
    private sealed record Envelope(string F, string T);

    public static string Fingerprint(params object?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }

    public static string? Wrap(string? position, string fingerprint) => position is null
        ? null
        : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Envelope(fingerprint, position)));

    public static string? Unwrap(string? token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        Envelope? envelope = null;
        try
        {
            if (token.Length <= 8192)
            {
                envelope = JsonSerializer.Deserialize<Envelope>(Base64Url.DecodeFromChars(token));
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            envelope = null;
        }

        if (envelope is null || envelope.F != fingerprint || string.IsNullOrEmpty(envelope.T))
        {
            throw ValidationFailedException.For("continuationToken", "invalid_continuation");
        }

        return envelope.T;
    }
}
