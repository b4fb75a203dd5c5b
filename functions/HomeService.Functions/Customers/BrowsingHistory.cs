using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Customers;

public sealed record BrowsingHistoryMessage(string UserId, string ItemId, DateTimeOffset ViewedAt);

public sealed record HistoryDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = "history";
    public required string ItemId { get; init; }
    public required DateTimeOffset ViewedAt { get; init; }

    /// <summary>Unique, time-ordered key for keyset paging (most recent first).</summary>
    public string SortKey => CosmosExtensions.TimeSortKey(ViewedAt, Id);

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public static string IdFor(string itemId) => $"history:{itemId}";
}

/// <summary>
/// Browsing history is written off the read path: viewing an item enqueues a message and this queue
/// function records it. Idempotent and order-insensitive: a redelivered or late message never moves
/// "last viewed" backwards.
/// </summary>
public sealed class BrowsingHistory(CosmosDb db)
{
    public const string Name = "RecordBrowsingHistory";
    public const string QueueName = "browsing-history";

    public static async Task EnqueueAsync(StorageClients storage, BrowsingHistoryMessage message, CancellationToken ct)
        => await storage.Queue(QueueName).SendMessageAsync(JsonSerializer.Serialize(message, CosmosDb.JsonOptions), ct);

    [Function(Name)]
    public async Task<string> RunAsync([QueueTrigger(QueueName)] QueueMessage queued, CancellationToken ct)
    {
        var message = JsonSerializer.Deserialize<BrowsingHistoryMessage>(queued.Body.ToString(), CosmosDb.JsonOptions);
        if (message is null || string.IsNullOrWhiteSpace(message.UserId) || string.IsNullOrWhiteSpace(message.ItemId))
        {
            throw new InvalidDataException("A browsing-history message needs userId and itemId.");
        }

        var id = HistoryDocument.IdFor(message.ItemId);
        var pk = new PartitionKey(message.UserId);
        while (true)
        {
            var current = (await db.Profiles.ReadOrNullAsync<HistoryDocument>(id, message.UserId, ct))?.Resource;
            if (current is not null && current.ViewedAt >= message.ViewedAt)
            {
                return $"History of {message.UserId} already newer than {message.ViewedAt:O}";
            }

            var next = new HistoryDocument { Id = id, UserId = message.UserId, ItemId = message.ItemId, ViewedAt = message.ViewedAt };
            try
            {
                if (current is null)
                {
                    await db.Profiles.CreateItemAsync(next, pk, cancellationToken: ct);
                }
                else
                {
                    await db.Profiles.ReplaceItemAsync(next, id, pk, new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
                }

                return $"History of {message.UserId} updated for item {message.ItemId}";
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
            {
                // A concurrent delivery wrote first; re-read and compare again.
            }
        }
    }
}
