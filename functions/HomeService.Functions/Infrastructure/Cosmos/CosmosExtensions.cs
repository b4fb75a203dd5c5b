using System.Net;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>A page of results and the opaque token that fetches the next one (null when done).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class CosmosExtensions
{
    /// <summary>Every name → value of <paramref name="parameters"/> as a parameter of the query.</summary>
    public static QueryDefinition WithParameters<TValue>(this QueryDefinition query, IEnumerable<KeyValuePair<string, TValue>> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            query = query.WithParameter(name, value);
        }

        return query;
    }

    /// <summary>Cosmos refuses ids longer than 255 characters or holding '/', '\\', '?' or '#'; no stored document has one.</summary>
    public static bool IsStorableId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 255 && id.IndexOfAny(['/', '\\', '?', '#']) < 0;

    /// <summary>
    /// Point read that answers null for a missing document instead of throwing. An id or partition key Cosmos could
    /// never have stored (e.g. a route value with a backslash) is missing too, rather than a failed request.
    /// </summary>
    public static async Task<ItemResponse<T>?> ReadOrNullAsync<T>(this Container container, string id, string partitionKey, CancellationToken ct)
    {
        if (!IsStorableId(id) || string.IsNullOrEmpty(partitionKey))
        {
            return null;
        }

        try
        {
            return await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Keyset paging: TOP pageSize+1 rows ordered by a unique sort-key field, resuming after the last key of
    /// the previous page. Cosmos continuation tokens are not used because the local server's tokens cannot be
    /// resumed by the SDK; a unique single-field key works the same on both and needs no composite index.
    /// <paramref name="where"/> must include the partition filter in its text: the local server ignores the
    /// partition key option of queries. A null <paramref name="partitionKey"/> pages across partitions (admin lists).
    /// </summary>
    public static async Task<Page<T>> KeysetPageAsync<T>(
        this Container container, string? partitionKey, string where, IReadOnlyDictionary<string, object?> parameters,
        string keyField, bool descending, Func<T, string> keyOf, string fingerprint, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var after = ContinuationTokens.Unwrap(continuationToken, fingerprint);
        var filter = after is null ? where : $"({where}) AND c.{keyField} {(descending ? "<" : ">")} @after";
        // One row beyond the page tells whether there is a next page, so the last page never comes back empty.
        var query = new QueryDefinition($"SELECT TOP {pageSize + 1} * FROM c WHERE {filter} ORDER BY c.{keyField} {(descending ? "DESC" : "ASC")}")
            .WithParameters(parameters);
        if (after is not null)
        {
            query = query.WithParameter("@after", after);
        }

        var rows = await container.QueryAllAsync<T>(query, partitionKey, ct);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? ContinuationTokens.Wrap(keyOf(items[^1]), fingerprint) : null;
        return new Page<T>(items, next);
    }

    /// <summary>A sort key that orders by time and stays unique: fixed-width UTC instant + id.</summary>
    public static string TimeSortKey(DateTimeOffset at, string id) =>
        $"{at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture)}|{id}";

    /// <summary>Rows per request of <see cref="QueryAllByKeyAsync{T}"/>: below the page size, so every request is one page.</summary>
    public const int KeysetChunk = 400;

    /// <summary>
    /// Every row of a query that may span many pages and partitions, read as keyset pages: TOP <see cref="KeysetChunk"/>
    /// rows ordered by <paramref name="keyField"/> (unique among the matching rows), each request resuming after the
    /// last key of the one before. The local server cannot resume a cross-partition query from a continuation token
    /// (the SDK's fallback needs a query plan it cannot give), so no request here ever has a second page.
    /// <paramref name="where"/> names the partitions in its text, as the local server ignores the partition option.
    /// </summary>
    public static async Task<List<T>> QueryAllByKeyAsync<T>(
        this Container container, string select, string where, IReadOnlyDictionary<string, object> parameters,
        string keyField, Func<T, string> keyOf, CancellationToken ct)
    {
        var all = new List<T>();
        string? after = null;
        while (true)
        {
            var filter = after is null ? where : $"({where}) AND c.{keyField} > @after";
            var query = new QueryDefinition($"SELECT TOP {KeysetChunk} {select} FROM c WHERE {filter} ORDER BY c.{keyField}").WithParameters(parameters);
            if (after is not null)
            {
                query = query.WithParameter("@after", after);
            }

            var rows = await container.QueryAllAsync<T>(query, null, ct);
            all.AddRange(rows);
            if (rows.Count < KeysetChunk)
            {
                return all;
            }

            after = keyOf(rows[^1]);
        }
    }

    /// <summary>Runs a query to the end; only for partitions known to be small.</summary>
    public static async Task<List<T>> QueryAllAsync<T>(this Container container, QueryDefinition query, string? partitionKey, CancellationToken ct)
    {
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: CosmosDb.QueryOptions(partitionKey, 500));
        var items = new List<T>();
        while (iterator.HasMoreResults)
        {
            items.AddRange(await iterator.ReadNextAsync(ct));
        }

        return items;
    }
}
