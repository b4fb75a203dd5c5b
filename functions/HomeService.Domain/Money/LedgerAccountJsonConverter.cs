using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeService.Domain.Money;

/// <summary>Stores an account as its stable id string (e.g. <c>"worker:w-1:wallet"</c>).</summary>
public sealed class LedgerAccountJsonConverter : JsonConverter<LedgerAccount>
{
    public override LedgerAccount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var id = reader.GetString() ?? throw new JsonException("Ledger account id is null.");
        try
        {
            return LedgerAccount.Parse(id);
        }
        catch (FormatException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, LedgerAccount value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
}
