using System.Net;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>A page of results and the opaque token that fetches the next one (null when done).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class CosmosExtensions
{
    /// <summary>Point read that answers null for a missing document instead of throwing.</summary>
    public static async Task<ItemResponse<T>?> ReadOrNullAsync<T>(this Container container, string id, string partitionKey, CancellationToken ct)
    {
        try
        {
            return await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Reads one page of a query; the continuation token is passed back to the client as is.</summary>
    public static async Task<Page<T>> QueryPageAsync<T>(
        this Container container, QueryDefinition query, string? partitionKey, string? continuationToken, int pageSize, CancellationToken ct)
    {
        using var iterator = container.GetItemQueryIterator<T>(
            query, string.IsNullOrEmpty(continuationToken) ? null : continuationToken,
            CosmosDb.QueryOptions(partitionKey, pageSize));
        var items = new List<T>(pageSize);
        string? next = null;
        // A feed response may hold fewer items than asked for; keep reading until the page is full or the feed ends.
        while (iterator.HasMoreResults && items.Count < pageSize)
        {
            var response = await iterator.ReadNextAsync(ct);
            items.AddRange(response);
            next = response.ContinuationToken;
            if (items.Count >= pageSize || next is null)
            {
                break;
            }
        }

        return new Page<T>(items, next);
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
