using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Tests.Http;

/// <summary>
/// The API's build-time JSON metadata (<see cref="ApiJsonContext"/>) reads bodies exactly as reflection did. The trap it
/// guards: generated metadata sets an init-only property that a body leaves out to 0/null, not to its initializer's
/// value, so a request type with such a default would silently change meaning.
/// </summary>
public sealed class ApiJsonContextTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<string> GeneratedTypes() => new(GeneratedTypeNames());

    private static List<string> GeneratedTypeNames()
    {
        var data = new List<string>();
        foreach (var property in typeof(ApiJsonContext).GetProperties())
        {
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>)
                && property.PropertyType.GetGenericArguments()[0] is { IsClass: true, Namespace: { } ns } type && ns.StartsWith("HomeService.", StringComparison.Ordinal))
            {
                data.Add(type.AssemblyQualifiedName!);
            }
        }

        return data;
    }

    [Fact]
    public void The_context_covers_the_request_bodies()
    {
        var names = GeneratedTypeNames().Select(name => Type.GetType(name)!.Name).ToList();
        Assert.Contains("BookingRequest", names);
        Assert.Contains("CityRequest", names);
        Assert.Contains("GeoCenterRequest", names); // nested in CityRequest
        Assert.True(names.Count > 40, $"{names.Count} types");
    }

    /// <summary>
    /// The context lists request bodies by hand; one left out would still be read (by the reflection resolver behind it)
    /// but would bring back the start-up cost this context removed, so every JSON body the endpoint table accepts is listed
    /// — except those that generated metadata would read differently (init-only properties with initializers).
    /// </summary>
    // Listed, its empty body reads with Type, Booking, Travel, … null instead of their initializers (checked by listing it).
    private static readonly HashSet<Type> KeptOnReflection = [typeof(HomeService.Functions.Scheduling.CitySettingsDocument)];

    [Fact]
    public void Every_json_request_body_of_the_endpoint_table_is_in_the_context()
    {
        var bodies = factory.Services.GetRequiredService<HomeService.Functions.Hosting.ApiPipeline>().Endpoints
            .SelectMany(e => e.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>())
            .Where(a => a.RequestType is not null && a.ContentTypes.Any(c => c.Contains("json", StringComparison.OrdinalIgnoreCase)))
            .Select(a => a.RequestType!)
            .Distinct()
            .ToList();

        Assert.True(bodies.Count > 30, $"{bodies.Count} request body types found in the endpoint table");
        var missing = bodies.Where(t => ApiJsonContext.Default.GetTypeInfo(t) is null && !KeptOnReflection.Contains(t))
            .Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, $"Add to ApiJsonContext: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(GeneratedTypes))]
    public void An_empty_body_reads_as_by_reflection(string typeName)
    {
        var type = Type.GetType(typeName)!;
        var api = factory.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        Assert.Contains(ApiJsonContext.Default, api.TypeInfoResolverChain);
        var reflection = new JsonSerializerOptions(api) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

        var generated = JsonSerializer.Deserialize("{}", type, api);
        var reflected = JsonSerializer.Deserialize("{}", type, reflection);

        Assert.Equal(JsonSerializer.Serialize(reflected, type, reflection), JsonSerializer.Serialize(generated, type, reflection));
    }
}
