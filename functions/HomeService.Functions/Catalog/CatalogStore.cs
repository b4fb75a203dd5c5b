using System.Collections.Concurrent;
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
public sealed class CatalogStore(CosmosDb db, TimeProvider time)
{
    /// <summary>How long <see cref="FindBookableItemAsync"/> keeps an item: as long as city settings are kept.</summary>
    public static readonly TimeSpan ItemCacheFor = Scheduling.CitySettingsStore.CacheFor;

    private readonly ConcurrentDictionary<string, (ItemDocument Item, DateTimeOffset Until)> _items = new(StringComparer.Ordinal);

    private Container Container => db.Catalog;

    /// <summary>
    /// An item as availability and booking read it, on every call: kept for <see cref="ItemCacheFor"/>, as city settings are.
    /// Every write of an item through this store drops it at once; another instance sees an admin's edit within that time.
    /// Unknown ids are not kept (nothing to fill the cache with).
    /// </summary>
    public async Task<ItemDocument?> FindBookableItemAsync(string id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_items.TryGetValue(id, out var hit) && hit.Until > now)
        {
            return hit.Item;
        }

        var item = (await FindAsync<ItemDocument>(ItemDocument.Kind, id, ct))?.Document;
        if (item is not null)
        {
            _items[id] = (item, now + ItemCacheFor);
        }

        return item;
    }

    private void Forget(string kind, string id)
    {
        if (kind == ItemDocument.Kind)
        {
            _items.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// A query over one kind. Every query names its kind in the text as well as in the partition key: the local
    /// server filters queries by their text only (it ignores the partition key header), and on Cosmos the extra
    /// filter costs nothing within the partition.
    /// </summary>
    public static QueryDefinition Query(string kind, string? where = null, string? orderBy = null, string select = "*") =>
        new QueryDefinition(
                $"SELECT {select} FROM c WHERE c.type = @type" +
                (where is null ? "" : $" AND ({where})") +
                (orderBy is null ? "" : $" ORDER BY {orderBy}"))
            .WithParameter("@type", kind);

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
        Forget(kind, id);
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
        finally
        {
            Forget(kind, id);
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
        finally
        {
            Forget(kind, id);
        }
    }

    /// <summary>Unconditional write of a document with a fixed id (seed data).</summary>
    public async Task UpsertAsync<T>(string kind, T document, CancellationToken ct)
    {
        try
        {
            await Container.UpsertItemAsync(document, new PartitionKey(kind), cancellationToken: ct);
        }
        finally
        {
            if (document is ItemDocument item)
            {
                Forget(kind, item.Id);
            }
        }
    }

    /// <summary>Every document of a kind; only for the small kinds (cities, categories).</summary>
    public Task<List<T>> AllAsync<T>(string kind, CancellationToken ct)
        => Container.QueryAllAsync<T>(Query(kind, orderBy: "c.id"), kind, ct);

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

        var query = Query(kind, "ARRAY_CONTAINS(@ids, c.id)", select: "VALUE c.id").WithParameter("@ids", wanted);
        return (await Container.QueryAllAsync<string>(query, kind, ct)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether any document of <paramref name="kind"/> matches <paramref name="where"/> (an expression over <c>c</c>).</summary>
    public async Task<bool> AnyAsync(string kind, string where, string parameter, object value, CancellationToken ct)
    {
        var query = Query(kind, where, select: "TOP 1 VALUE c.id").WithParameter(parameter, value);
        return (await Container.QueryAllAsync<string>(query, kind, ct)).Count > 0;
    }

    /// <summary>Keyset paging over one kind; see <see cref="CosmosExtensions.KeysetPageAsync{T}"/>.</summary>
    public Task<Page<T>> KeysetPageAsync<T>(
        string kind, string? where, IReadOnlyDictionary<string, object> parameters, string keyField, bool descending,
        Func<T, string> keyOf, string fingerprint, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var all = new Dictionary<string, object?>(parameters.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value))) { ["@type"] = kind };
        return Container.KeysetPageAsync(kind, where is null ? "c.type = @type" : $"c.type = @type AND ({where})", all,
            keyField, descending, keyOf, fingerprint, continuationToken, pageSize, ct);
    }
}
