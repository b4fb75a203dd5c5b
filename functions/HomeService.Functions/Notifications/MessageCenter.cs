using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Serialization;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Notifications;

public sealed record MessageDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = "message";
    /// <summary>order | reminder | promotion | announcement</summary>
    public required string Category { get; init; }
    public required string Key { get; init; }
    public string? OrderId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public bool Read { get; init; }
    public DateTimeOffset? ReadAt { get; init; }
    /// <summary>Created with a push still to queue; cleared once queued, so a redelivery that finds it set queues it then.</summary>
    public bool PushPending { get; init; }
    public string SortKey => CosmosExtensions.TimeSortKey(CreatedAt, Id);

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record MessageView(string Id, string Category, string Key, string Title, string? OrderId, DateTimeOffset CreatedAt, bool Read);

public sealed record UnreadCount(int Count);

/// <summary>A notification leaving through a push channel (WeChat subscribe message, SMS).</summary>
public sealed record PushMessage(string UserId, string Key, string? OrderId);

/// <summary>Port to push channels. Called from the push queue (<see cref="PushFunction"/>): throwing retries the push alone.</summary>
public interface IPushSender
{
    Task SendAsync(PushMessage message, CancellationToken ct);
}

/// <summary>Local sandbox push channel (Development only): records what would be sent.</summary>
public sealed class SandboxPushSender(ILogger<SandboxPushSender> logger) : IPushSender
{
    private readonly ConcurrentQueue<PushMessage> _sent = new();

    public IReadOnlyCollection<PushMessage> Sent => _sent.ToArray();

    public Task SendAsync(PushMessage message, CancellationToken ct)
    {
        _sent.Enqueue(message);
        logger.LogInformation("Sandbox push {Key} to user {UserId} for order {OrderId}", message.Key, message.UserId, message.OrderId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The per-user message center (container `messages`, partition /userId). Posting is idempotent: the id
/// comes from the cause (e.g. event id + recipient), so a redelivered event never posts twice. A newly posted
/// message is also queued for push when a push provider is configured (<see cref="PushSetup"/>).
/// </summary>
public sealed class MessageCenter(CosmosDb db, TimeProvider time, ILogger<MessageCenter> logger, PushOutbox? push = null)
{
    public async Task PostAsync(string userId, string sourceId, string category, string key, string? orderId, CancellationToken ct)
    {
        var document = new MessageDocument
        {
            Id = $"msg:{sourceId}",
            UserId = userId,
            Category = category,
            Key = key,
            OrderId = orderId,
            CreatedAt = time.GetUtcNow(),
            PushPending = push is not null,
        };
        try
        {
            document = (await db.Messages.CreateItemAsync(document, new PartitionKey(userId), cancellationToken: ct)).Resource;
            logger.LogInformation("Message {Key} posted to user {UserId}", key, userId);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Already posted by an earlier delivery; its push is still to queue only if that delivery died first.
            document = (await db.Messages.ReadOrNullAsync<MessageDocument>(document.Id, userId, ct))?.Resource ?? document with { PushPending = false };
        }

        if (push is not null && document.PushPending)
        {
            // Queued, not sent here: a failing push channel must not fail (and so re-run) the handler that posts.
            await push.EnqueueAsync(new PushMessage(userId, key, orderId), ct);
            await ClearPushPendingAsync(document, ct);
        }
    }

    private async Task ClearPushPendingAsync(MessageDocument document, CancellationToken ct)
    {
        while (document.PushPending)
        {
            try
            {
                await db.Messages.ReplaceItemAsync(document with { PushPending = false }, document.Id, new PartitionKey(document.UserId),
                    new ItemRequestOptions { IfMatchEtag = document.ETag }, ct);
                return;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Marked read meanwhile: clear the flag on the current version.
                document = (await db.Messages.ReadOrNullAsync<MessageDocument>(document.Id, document.UserId, ct))?.Resource ?? document with { PushPending = false };
            }
        }
    }

    public Task<Page<MessageDocument>> ListAsync(string userId, bool unreadOnly, string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Messages.KeysetPageAsync<MessageDocument>(userId,
            "c.userId = @u AND c.type = 'message'" + (unreadOnly ? " AND c.read = false" : ""),
            new Dictionary<string, object?> { ["@u"] = userId }, "sortKey", descending: true, m => m.SortKey,
            ContinuationTokens.Fingerprint("messages", userId, unreadOnly), continuationToken, pageSize, ct);

    public async Task<int> UnreadCountAsync(string userId, CancellationToken ct)
    {
        // Single-partition COUNT: served by the index, fine on both Cosmos and the local server.
        var query = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.userId = @u AND c.type = 'message' AND c.read = false")
            .WithParameter("@u", userId);
        var result = await db.Messages.QueryAllAsync<int>(query, userId, ct);
        return result.Sum();
    }

    public async Task MarkReadAsync(string userId, string id, CancellationToken ct)
    {
        while (true)
        {
            var current = (await db.Messages.ReadOrNullAsync<MessageDocument>(id, userId, ct))?.Resource
                          ?? throw new NotFoundException("res.message", id);
            if (current.Read)
            {
                return;
            }

            try
            {
                await db.Messages.ReplaceItemAsync(current with { Read = true, ReadAt = time.GetUtcNow() }, id, new PartitionKey(userId),
                    new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
                return;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile (e.g. read-all); look again.
            }
        }
    }

    public async Task<int> MarkAllReadAsync(string userId, CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.userId = @u AND c.type = 'message' AND c.read = false")
            .WithParameter("@u", userId);
        var ids = await db.Messages.QueryAllAsync<string>(query, userId, ct);
        foreach (var id in ids)
        {
            await MarkReadAsync(userId, id, ct);
        }

        return ids.Count;
    }
}

public static class MessageCenterEndpoints
{
    private static Page<MessageView> Views(Page<MessageDocument> page, bool chinese, bool admins = false) => new(
        page.Items.Select(m => new MessageView(m.Id, m.Category, m.Key,
            admins ? NotificationTexts.AdminTitle(m.Key, chinese) : NotificationTexts.Title(m.Key, chinese), m.OrderId, m.CreatedAt, m.Read)).ToArray(),
        page.ContinuationToken);

    /// <summary>/api/messages: every signed-in user's own inbox, whatever their role.</summary>
    public static IEndpointRouteBuilder MapMessageCenterEndpoints(this IEndpointRouteBuilder routes)
    {
        var messages = routes.MapGroup("/api/messages").WithTags("Message center").RequireAuthorization();

        messages.MapGet("/", async Task<Ok<Page<MessageView>>> (bool? unreadOnly, string? continuationToken, int? pageSize, HttpContext http, MessageCenter center, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var chinese = Messages.FromRequest(http) == Messages.Language.ZhCn;
            var page = await center.ListAsync(http.User.UserId(), unreadOnly ?? false, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(Views(page, chinese));
        }).WithSummary("My messages, newest first");

        messages.MapGet("/unread-count", async Task<Ok<UnreadCount>> (HttpContext http, MessageCenter center, CancellationToken ct) =>
            TypedResults.Ok(new UnreadCount(await center.UnreadCountAsync(http.User.UserId(), ct)))).WithSummary("How many of my messages are unread");

        messages.MapPost("/{id}/read", async Task<NoContent> (string id, HttpContext http, MessageCenter center, CancellationToken ct) =>
        {
            await center.MarkReadAsync(http.User.UserId(), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Mark one message read (idempotent)");

        messages.MapPost("/read-all", async Task<Ok<UnreadCount>> (HttpContext http, MessageCenter center, CancellationToken ct) =>
        {
            var userId = http.User.UserId();
            await center.MarkAllReadAsync(userId, ct);
            return TypedResults.Ok(new UnreadCount(await center.UnreadCountAsync(userId, ct)));
        }).WithSummary("Mark all my messages read");

        routes.MapGet("/api/admin/alerts", async Task<Ok<Page<MessageView>>> (bool? unreadOnly, string? continuationToken, int? pageSize, HttpContext http, MessageCenter center, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var chinese = Messages.FromRequest(http) == Messages.Language.ZhCn;
            var page = await center.ListAsync(Orders.OrderEventHandler.AdminInbox, unreadOnly ?? false, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(Views(page, chinese, admins: true));
        }).WithTags("Admin alerts").RequireAuthorization(Auth.Roles.Admin).WithSummary("Platform alerts: manual dispatch needed, refund failures, late payments");

        return routes;
    }
}
