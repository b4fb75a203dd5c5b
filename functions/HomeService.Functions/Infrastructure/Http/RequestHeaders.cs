namespace HomeService.Functions.Infrastructure.Http;

/// <summary>Endpoint metadata: the endpoint reads If-Match (required: always; mayBeRequired: 428 without it once the resource exists).</summary>
public sealed record IfMatchMetadata(bool Required, bool MayBeRequired);

/// <summary>Endpoint metadata: the endpoint reads an Idempotency-Key header (required: 400 without it).</summary>
public sealed record IdempotencyKeyMetadata(bool Required);

/// <summary>
/// Declares on an endpoint the request headers its handler reads from <see cref="HttpRequest.Headers"/>, so the
/// OpenAPI document (Hosting/OpenApiContract) states them and the 412/428 answers that come with If-Match.
/// </summary>
public static class RequestHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>The handler calls <see cref="ETags.RequireIfMatch"/>: If-Match is required.</summary>
    public static TBuilder RequiresIfMatch<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IfMatchMetadata(Required: true, MayBeRequired: true));

    /// <summary>If-Match is checked when sent; <paramref name="requiredOnceExists"/>: 428 without it once the resource exists.</summary>
    public static TBuilder AcceptsIfMatch<TBuilder>(this TBuilder builder, bool requiredOnceExists) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IfMatchMetadata(Required: false, MayBeRequired: requiredOnceExists));

    public static TBuilder RequiresIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotencyKeyMetadata(Required: true));
}
