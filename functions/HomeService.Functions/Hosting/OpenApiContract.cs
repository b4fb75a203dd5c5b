using System.Text;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace HomeService.Functions.Hosting;

/// <summary>
/// Completes the OpenAPI document from what the endpoint table already says: its authorization metadata gives
/// the security requirement and the 401/403 answers, its route parameters the 404, its body and parameters the
/// 400, its If-Match / Idempotency-Key metadata (<see cref="RequestHeaders"/>) the headers and 412/428, its
/// rate-limiting metadata the 429. Every error answer is the one ProblemDetails schema the server writes
/// (<see cref="ProblemMapping"/>). Schemas say what the serializer does: integers are integers (the lenient
/// reading of numbers in strings stays a courtesy, not the contract) and a nullable property, which the
/// serializer omits when null, is optional.
/// </summary>
public static class OpenApiContract
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "ProblemDetails";
    public const string ProblemMediaType = "application/problem+json";

    private static readonly string[] Mutations = ["POST", "PUT", "PATCH", "DELETE"];

    public static OpenApiOptions AddHomeServiceContract(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            Tighten(schema);
            OptionalWhenNullable(schema, context.JsonTypeInfo);
            return Task.CompletedTask;
        });
        return options;
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info.Title = "HomeService API";
        document.Info.Description = "Home services: customers book and pay, workers and merchants serve, admins run the platform. " +
                                    "Errors are RFC 9457 problem details with a machine-readable `code`; texts follow Accept-Language (en, zh-CN).";
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/') is { Length: > 0 } url ? url : "http://localhost";
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token from POST /api/auth/sms/login, /api/auth/wechat/login or /api/auth/refresh.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        foreach (var schema in document.Components.Schemas.Values.OfType<OpenApiSchema>())
        {
            Tighten(schema);
        }

        // Operation ids are unique in the document: a derived one that repeats gets a number.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            var id = operation.OperationId!;
            for (var n = 2; !seen.Add(operation.OperationId!); n++)
            {
                operation.OperationId = id + n;
            }
        }

        // The tags the operations use, listed (and described) at the top as the linter asks.
        var tags = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(tags.Select(t => new OpenApiTag { Name = t }));
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod?.ToUpperInvariant() ?? "GET";
        var route = "/" + (description.RelativePath ?? "").TrimStart('/');
        operation.OperationId ??= OperationId(method, route);
        operation.Parameters ??= [];
        operation.Responses ??= new OpenApiResponses();

        var authorize = metadata.OfType<IAuthorizeData>().ToArray();
        var signedIn = authorize.Length > 0 && !metadata.OfType<IAllowAnonymous>().Any();
        if (signedIn)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            var roles = authorize.Select(a => a.Policy ?? a.Roles).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            Error(operation, context, 401, "No valid access token (`unauthorized`).");
            Error(operation, context, 403, roles.Length > 0
                ? $"The caller lacks the role ({string.Join(", ", roles)}) or does not own the resource (`forbidden` and kin)."
                : "The caller does not own the resource (`forbidden` and kin).");
        }
        else
        {
            operation.Security = [];
        }

        var ifMatch = metadata.OfType<IfMatchMetadata>().LastOrDefault();
        if (ifMatch is not null)
        {
            Header(operation, "If-Match", ifMatch.Required,
                "The ETag of the version read (strong, as this server sent it)." + (ifMatch.Required ? "" : ifMatch.MayBeRequired ? " Required once the resource exists." : " Optional."));
            Error(operation, context, 412, "The resource changed since that ETag was read (`precondition_failed`): read it again.");
            if (ifMatch.MayBeRequired)
            {
                Error(operation, context, 428, "If-Match is missing (`precondition_required`).");
            }
        }

        if (metadata.OfType<IdempotencyKeyMetadata>().LastOrDefault() is { } idempotency)
        {
            Header(operation, RequestHeaders.IdempotencyKey, idempotency.Required,
                "A client-chosen key (at most 100 characters) that makes retries of this request answer the first result.",
                maxLength: 100);
        }

        Header(operation, "Accept-Language", required: false, "The language of problem titles and messages: en or zh-CN (default en).");

        var hasInput = operation.RequestBody is not null || operation.Parameters.Any(p => p.In is ParameterLocation.Query or ParameterLocation.Path) ||
                       ifMatch is not null || metadata.OfType<IdempotencyKeyMetadata>().Any();
        if (hasInput)
        {
            Error(operation, context, 400, "A field, parameter or header is invalid (`validation_failed`, `malformed_json`…): `errors` and `fieldCodes` name it.");
        }

        if (route.Contains('{', StringComparison.Ordinal) || operation.RequestBody is not null)
        {
            Error(operation, context, 404, "A resource the request names does not exist (`not_found`).");
        }

        if (Mutations.Contains(method))
        {
            Error(operation, context, 409, "The resource's current state does not allow this (the `code` says which rule).");
        }

        if (operation.RequestBody is not null)
        {
            Error(operation, context, 415, "The body is not application/json (`unsupported_media_type`).");
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            var tooMany = Error(operation, context, 429, "Too many attempts (`too_many_requests`): retry after Retry-After seconds.");
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
            };
        }

        Error(operation, context, 503, "A service the request needs is unavailable or throttled; retry later (`service_unavailable`, `*_unavailable`).");

        // Every error answer the endpoint declared itself (ProducesProblem…) is the same ProblemDetails.
        foreach (var (status, response) in operation.Responses.ToArray())
        {
            if (int.TryParse(status, out var code) && code >= 400)
            {
                Error(operation, context, code, response.Description);
            }
        }
    }

    /// <summary>"GET /api/customer/favorites/{kind}" → "getCustomerFavoritesByKind".</summary>
    public static string OperationId(string method, string route)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        foreach (var segment in route.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var parameter = segment.StartsWith('{');
            var name = parameter ? segment.Trim('{', '}').Split(':', '=', '?')[0].TrimStart('*') : segment;
            if (parameter)
            {
                id.Append("By");
            }

            foreach (var word in name.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries))
            {
                id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
            }
        }

        return id.ToString();
    }

    private static void Header(OpenApiOperation operation, string name, bool required, string description, int? maxLength = null)
    {
        if (operation.Parameters!.Any(p => p.In == ParameterLocation.Header && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = maxLength },
        });
    }

    private static OpenApiResponse Error(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string? description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        operation.Responses!.TryGetValue(key, out var existing);
        if (existing is OpenApiResponse { Content: { } content } known &&
            (content.TryGetValue(ProblemMediaType, out var media) && media.Schema is OpenApiSchemaReference { Reference.Id: ProblemSchema } ||
             content.Count > 0 && !content.ContainsKey(ProblemMediaType)))
        {
            // Ours already, or a body of the endpoint's own (e.g. WeChat Pay's answer format): kept as declared.
            return known;
        }

        var response = new OpenApiResponse
        {
            Description = string.IsNullOrWhiteSpace(description) ? ReasonPhrase(status) : description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            },
            Headers = existing?.Headers,
        };
        operation.Responses[key] = response;
        return response;
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    /// <summary>What <see cref="ProblemMapping"/> writes: RFC 9457 members, the code, and the fields at fault.</summary>
    private static OpenApiSchema Problem()
    {
        OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        var messages = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } } };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem. Besides the members below it may carry facts about the refusal (e.g. the current state).",
            Required = new HashSet<string> { "type", "title", "status", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI naming the kind of problem (one per code)."),
                ["title"] = Text("What went wrong, in the request's language."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "400", Maximum = "599" },
                ["detail"] = Text("More about this occurrence."),
                ["instance"] = Text("The request path."),
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9_-]+$", Description = "The machine-readable reason, e.g. validation_failed, not_found, forbidden, precondition_failed." },
                ["traceId"] = Text("The request's trace id, for support."),
                ["errors"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Messages per field, parameter or header at fault.", AdditionalProperties = messages.AdditionalProperties },
                ["fieldCodes"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Message codes per field at fault.", AdditionalProperties = messages.AdditionalProperties },
            },
        };
    }

    /// <summary>
    /// Numbers: the serializer writes integers and reads them also from strings; the document states what it writes.
    /// Nullable properties are omitted when null (JsonIgnoreCondition.WhenWritingNull), so they are not required.
    /// </summary>
    private static void Tighten(OpenApiSchema schema)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
            {
                if (IsNullable(property))
                {
                    required.Remove(name);
                }
            }
        }
    }

    /// <summary>A property whose CLR type may be null is omitted when null, whatever schema its converter gives it.</summary>
    private static void OptionalWhenNullable(OpenApiSchema schema, System.Text.Json.Serialization.Metadata.JsonTypeInfo type)
    {
        if (schema.Required is not { Count: > 0 } required || type.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
        {
            return;
        }

        var nullability = new System.Reflection.NullabilityInfoContext();
        foreach (var property in type.Properties)
        {
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null || property.AttributeProvider switch
            {
                System.Reflection.PropertyInfo p when !p.PropertyType.IsValueType => nullability.Create(p).ReadState != System.Reflection.NullabilityState.NotNull,
                System.Reflection.FieldInfo f when !f.FieldType.IsValueType => nullability.Create(f).ReadState != System.Reflection.NullabilityState.NotNull,
                _ => false,
            };
            if (nullable)
            {
                required.Remove(property.Name);
            }
        }
    }

    private static bool IsNullable(IOpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.Null) == true ||
        schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true ||
        schema.AnyOf?.Any(s => s.Type == JsonSchemaType.Null) == true;
}
