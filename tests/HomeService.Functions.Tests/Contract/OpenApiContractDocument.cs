using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace HomeService.Functions.Tests.Contract;

/// <summary>
/// The served OpenAPI 3.1 document read as data: its operations, request samples built from its schemas, and a
/// check of one answer against what the operation documents (status, media type, JSON Schema 2020-12 of the body).
/// </summary>
public sealed partial class OpenApiContractDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];
    private readonly JsonObject _root;
    private readonly JsonObject _schemas;
    private readonly ConcurrentDictionary<string, JsonSchema> _compiled = new(StringComparer.Ordinal);

    private OpenApiContractDocument(JsonObject root)
    {
        _root = root;
        _schemas = root["components"]?["schemas"]?.AsObject() ?? new JsonObject();
    }

    public string Text => _root.ToJsonString();

    public static async Task<OpenApiContractDocument> LoadAsync(HttpClient client) =>
        new(JsonNode.Parse(await client.GetStringAsync("/api/openapi/v1.json"))!.AsObject());

    /// <summary>"/api/customer/orders/{id:guid}/" → "/api/customer/orders/{id}" (the document's path form).</summary>
    public static string PathOf(string route)
    {
        var path = RouteConstraint().Replace(route, m => "{" + m.Groups[1].Value.TrimStart('*') + "}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    public IEnumerable<(string Method, string Path, JsonObject Operation)> Operations() =>
        _root["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => (o.Key.ToUpperInvariant(), p.Key, o.Value!.AsObject())));

    public JsonObject? Operation(string method, string path) =>
        _root["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject();

    /// <summary>The operation's required query parameters, each with a sample of its schema.</summary>
    public string SampleQuery(JsonObject operation) => string.Join("&", (operation["parameters"]?.AsArray() ?? [])
        .Select(p => p!.AsObject())
        .Where(p => p["in"]?.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true)
        .Select(p => $"{p["name"]!.GetValue<string>()}={Uri.EscapeDataString(Scalar(Sample(p["schema"]!, 0)))}"));

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>A value of the schema: every property, enums' first value, minimums, typed formats.</summary>
    public JsonNode? Sample(JsonNode schema, int depth)
    {
        var s = Resolve(schema);
        if (s["oneOf"] is JsonArray oneOf)
        {
            var choice = oneOf.FirstOrDefault(x => Resolve(x!)["type"]?.ToString() != "null");
            return choice is null ? null : Sample(choice, depth);
        }

        if (s["enum"] is JsonArray values && values.Count > 0)
        {
            return values.First(v => v is not null)!.DeepClone();
        }

        var types = s["type"] switch
        {
            JsonArray a => a.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray(),
            JsonValue v => [v.GetValue<string>()],
            _ => s["properties"] is not null ? ["object"] : [],
        };
        var type = types.FirstOrDefault() ?? "string";
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (depth < 6)
                {
                    foreach (var (name, property) in s["properties"]?.AsObject() ?? [])
                    {
                        result[name] = Sample(property!, depth + 1);
                    }
                }

                return result;
            case "array":
                return depth < 6 && s["items"] is { } items ? new JsonArray(Sample(items, depth + 1)) : new JsonArray();
            case "integer":
                return JsonValue.Create(Number(s["minimum"]) is { } min ? (long)Math.Ceiling(min) : 1L);
            case "number":
                return JsonValue.Create(Number(s["minimum"]) ?? 1.5);
            case "boolean":
                return JsonValue.Create(true);
            default:
                return JsonValue.Create(s["format"]?.GetValue<string>() switch
                {
                    "date-time" => "2026-12-20T02:00:00+00:00",
                    "date" => "2026-12-20",
                    "time" => "10:00:00",
                    "uri" => "https://example.com/a.png",
                    "uuid" => Guid.NewGuid().ToString(),
                    _ => new string('x', Math.Max(1, (int)(Number(s["minLength"]) ?? 1))),
                });
        }
    }

    private static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private JsonObject Resolve(JsonNode schema)
    {
        var s = schema.AsObject();
        for (var i = 0; i < 10 && s["$ref"] is { } reference; i++)
        {
            s = _schemas[reference.GetValue<string>().Split('/')[^1]]!.AsObject();
        }

        return s;
    }

    /// <summary>What is wrong with one answer of the operation (nothing when it is as documented).</summary>
    public IEnumerable<string> Check(JsonObject operation, int status, string? mediaType, string body)
    {
        var responses = operation["responses"]?.AsObject();
        var response = responses?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? responses?[$"{status / 100}XX"] ?? responses?["default"];
        if (response is null)
        {
            yield return "undocumented status";
            yield break;
        }

        var content = response["content"]?.AsObject();
        if (body.Length == 0)
        {
            yield break;
        }

        if (content is null || content.Count == 0)
        {
            yield return $"a body ({mediaType}) where the document has none";
            yield break;
        }

        var media = mediaType is null ? null : content[mediaType] ?? (mediaType.EndsWith("json", StringComparison.Ordinal) ? content["application/json"] : null);
        if (media is null)
        {
            yield return $"media type {mediaType} not documented (documented: {string.Join(", ", content.Select(c => c.Key))})";
            yield break;
        }

        if (media["schema"] is not { } schema || mediaType?.EndsWith("json", StringComparison.Ordinal) != true)
        {
            yield break;
        }

        var instance = TryParse(body, out var parsed) ? parsed : null;
        if (instance is null)
        {
            yield return "not JSON";
            yield break;
        }

        var results = Compile(schema).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                .Distinct()
                .Take(4);
            yield return "body does not match the schema: " + string.Join("; ", errors);
        }
    }

    private static bool TryParse(string body, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(body);
            return node is not null;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    /// <summary>The schema with every component as a $defs entry, so its references resolve inside it.</summary>
    private JsonSchema Compile(JsonNode schema)
    {
        var key = schema.ToJsonString();
        return _compiled.GetOrAdd(key, _ =>
        {
            var root = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"https://homeservice.test/contract/{Guid.NewGuid():N}",
                ["$defs"] = _schemas.DeepClone(),
                ["allOf"] = new JsonArray(schema.DeepClone()),
            };
            return JsonSchema.FromText(root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
        });
    }

    [GeneratedRegex(@"\{([^}:=?]+)[^}]*\}")]
    private static partial Regex RouteConstraint();
}
