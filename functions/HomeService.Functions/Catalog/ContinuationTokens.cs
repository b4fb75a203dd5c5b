using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Catalog;

/// <summary>
/// The Cosmos continuation token handed to clients inside a small envelope: URL-safe, and bound to the
/// query it came from. A Cosmos token replayed against different filters or sort is not rejected by
/// every server (the local one silently restarts or skips), so the envelope's fingerprint is checked
/// here and a mismatch answers 400 invalid_continuation on every server alike.
/// </summary>
public static class ContinuationTokens
{
    private sealed record Envelope(string F, string T);

    public static string Fingerprint(params object?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }

    public static string? Wrap(string? cosmosToken, string fingerprint) => cosmosToken is null
        ? null
        : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Envelope(fingerprint, cosmosToken)));

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
