using System.Text.Json.Serialization;
using HomeService.Functions.Health;
using HomeService.Functions.Seed;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>
/// Build-time serialization metadata for what every local start reads or hashes before it is ready: the demo seed's
/// content (catalog documents and demo workers, <see cref="DemoCatalogSeeder.Version"/>), its marker and the health
/// probe's heartbeat. First in <see cref="CosmosDb.JsonOptions"/>' resolver chain, reflection behind it; no options of
/// its own, so the documents serialize as before (camelCase, enums as camelCase strings, nulls omitted).
/// </summary>
[JsonSerializable(typeof(DemoSeedContent))]
[JsonSerializable(typeof(DemoSeedMarker))]
[JsonSerializable(typeof(HeartbeatDocument))]
internal sealed partial class CosmosJsonContext : JsonSerializerContext;
