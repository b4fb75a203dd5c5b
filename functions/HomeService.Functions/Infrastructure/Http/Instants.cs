using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// Instants on the API carry their offset (<c>2026-12-05T10:00:00+08:00</c> or <c>…Z</c>). One without
/// (<c>2026-12-05T10:00:00</c>) is refused with 400 <c>offset_required</c> naming the field, rather than read as UTC
/// (the server's zone) or guessed in a city's zone: a booking's start must mean the same moment to the
/// mini-program, the worker and the ledger.
/// </summary>
public static class Instants
{
    /// <summary>Parses an ISO 8601 instant; <paramref name="hasOffset"/> is false when it names no offset.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value, out bool hasOffset)
    {
        value = default;
        hasOffset = false;
        if (string.IsNullOrWhiteSpace(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return false;
        }

        hasOffset = HasOffset(text);
        return true;
    }

    /// <summary>Does an instant's text name its offset? RoundtripKind reads "Z" as Utc, "+08:00" as Local, none as Unspecified.</summary>
    public static bool HasOffset(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) && parsed.Kind != DateTimeKind.Unspecified;

    /// <summary>A query-string instant: <c>invalid</c> or <c>offset_required</c> on <paramref name="field"/>, else the value.</summary>
    public static DateTimeOffset? FromQuery(Validator v, string field, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!TryParse(text, out var value, out var hasOffset))
        {
            v.Add(field, "invalid_instant");
            return null;
        }

        if (!hasOffset)
        {
            v.Add(field, "offset_required");
            return null;
        }

        return value;
    }
}

/// <summary>A body's instant without an offset (<see cref="Instants"/>); the path is filled in by the serializer.</summary>
public sealed class InstantWithoutOffsetException() : JsonException("An instant needs an offset (Z or ±hh:mm).");

/// <summary>Reads request-body instants only when they carry an offset; writes them as the default converter does.</summary>
public sealed class OffsetRequiredDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var value))
        {
            throw new JsonException();
        }

        return Instants.HasOffset(reader.GetString()!) ? value : throw new InstantWithoutOffsetException();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
