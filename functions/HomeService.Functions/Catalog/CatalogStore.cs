using System.Net;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Catalog;

/// <summary>A catalog document with the Cosmos ETag it was read or written at.</summary>
public sealed record Versioned<T>(T Document, string ETag);

/// <summary>
/// Data access of the `catalog` container. Every kind (city, category, item, package) is one logical
/// partition, so each read here is a point read or a single-partition query.
/// </summary>
public sealed class CatalogStore(CosmosDb db)
{
    private Container Container => db.Catalog;

    /// <summary>The message resource naming a kind in problems ("res.item").</summary>
    public static string Resource(string kind) => $"res.{kind}";

    public async Task<Versioned<T>?> FindAsync<T>(string kind, string id, CancellationToken ct)
    {
        var response = await Container.ReadOrNullAsync<T>(id, kind, ct);
        return response is null ? null : new Versioned<T>(response.Resource, response.ETag);
    }

    public async Task<Versioned<T>> GetAsync<T>(string kind, string id, CancellationToken ct)
        => await FindAsync<T>(kind, id, ct) ?? throw new NotFoundException(Resource(kind), id);

    /// <summary>Creates the document; an id already taken answers 409 already_exists.</summary>
    public async Task<string> CreateAsync<T>(string kind, string id, T document, CancellationToken ct)
    {
        try
        {
            return (await Container.CreateItemAsync(document, new PartitionKey(kind), cancellationToken: ct)).ETag;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException("already_exists", Resource(kind), id);
        }
    }

    /// <summary>Replaces the document if it is still at <paramref name="etag"/> (Cosmos answers 412 otherwise).</summary>
    public async Task<string> ReplaceAsync<T>(string kind, string id, T document, string etag, CancellationToken ct)
    {
        try
        {
            return (await Container.ReplaceItemAsync(document, id, new PartitionKey(kind), new ItemRequestOptions { IfMatchEtag = etag }, ct)).ETag;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new NotFoundException(Resource(kind), id);
        }
    }

    public async Task DeleteAsync(string kind, string id, string etag, CancellationToken ct)
    {
        try
        {
            await Container.DeleteItemAsync<object>(id, new PartitionKey(kind), new ItemRequestOptions { IfMatchEtag = etag }, ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new NotFoundException(Resource(kind), id);
        }
    }

    /// <summary>Unconditional write of a document with a fixed id (seed data).</summary>
    public async Task UpsertAsync<T>(string kind, T document, CancellationToken ct)
        => await Container.UpsertItemAsync(document, new PartitionKey(kind), cancellationToken: ct);

    /// <summary>Every document of a kind; only for the small kinds (cities, categories).</summary>
    public Task<List<T>> AllAsync<T>(string kind, CancellationToken ct)
        => Container.QueryAllAsync<T>(new QueryDefinition("SELECT * FROM c ORDER BY c.id"), kind, ct);

    public Task<List<T>> QueryAsync<T>(string kind, QueryDefinition query, CancellationToken ct)
        => Container.QueryAllAsync<T>(query, kind, ct);

    /// <summary>Which of <paramref name="ids"/> exist as documents of <paramref name="kind"/>.</summary>
    public async Task<HashSet<string>> ExistingIdsAsync(string kind, IEnumerable<string> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return [];
        }

        var query = new QueryDefinition("SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(@ids, c.id)").WithParameter("@ids", wanted);
        return (await Container.QueryAllAsync<string>(query, kind, ct)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether any document of <paramref name="kind"/> matches <paramref name="where"/> (an expression over <c>c</c>).</summary>
    public async Task<bool> AnyAsync(string kind, string where, string parameter, object value, CancellationToken ct)
    {
        var query = new QueryDefinition($"SELECT TOP 1 VALUE c.id FROM c WHERE {where}").WithParameter(parameter, value);
        return (await Container.QueryAllAsync<string>(query, kind, ct)).Count > 0;
    }

    /// <summary>
    /// One page of a single-partition query. A token the server rejects (Cosmos 400) or that does not
    /// belong to this query answers 400 invalid_continuation instead of a 500.
    /// </summary>
    public async Task<Page<T>> PageAsync<T>(string kind, QueryDefinition query, string fingerprint, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var cosmosToken = ContinuationTokens.Unwrap(continuationToken, fingerprint);
        try
        {
            var page = await Container.QueryPageAsync<T>(query, kind, cosmosToken, pageSize, ct);
            return page with { ContinuationToken = ContinuationTokens.Wrap(page.ContinuationToken, fingerprint) };
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.BadRequest && cosmosToken is not null)
        {
            throw ValidationFailedException.For("continuationToken", "invalid_continuation");
        }
    }
}
