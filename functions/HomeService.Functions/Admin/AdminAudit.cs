using System.Text;
using System.Text.Json.Serialization;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Admin;

/// <summary>
/// One admin action that changed something (`system` container, id = <c>audit:{sortKey}</c>, its own partition):
/// who, which route and ids, what they sent, and when. Written after the action answered 2xx; never edited.
/// </summary>
public sealed record AdminAuditEntry
{
    public const string Kind = "admin-audit";
    public const int MaxBodyChars = 2000;

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string AdminId { get; init; }
    public required string Method { get; init; }
    /// <summary>The route template, e.g. <c>/api/admin/workers/{id}/approve</c>.</summary>
    public required string Route { get; init; }
    public required string Path { get; init; }
    /// <summary>The route values (the ids acted on), for "everything done to this worker / order".</summary>
    public IReadOnlyList<string> TargetIds { get; init; } = [];
    public required int Status { get; init; }
    /// <summary>The request body as sent (JSON), cut at <see cref="MaxBodyChars"/> characters.</summary>
    public string? Body { get; init; }
    public required string TraceId { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string SortKey { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record AdminAuditView(
    DateTimeOffset At, string AdminId, string Method, string Route, string Path, IReadOnlyList<string> TargetIds, int Status, string? Body, string TraceId)
{
    public static AdminAuditView Of(AdminAuditEntry e) => new(e.At, e.AdminId, e.Method, e.Route, e.Path, e.TargetIds, e.Status, e.Body, e.TraceId);
}

/// <summary>
/// The audit log of admin actions (SPEC §10): every successful POST / PUT / PATCH / DELETE under <c>/api/admin/</c>
/// is recorded by <see cref="RecordAsync"/> (a middleware around the endpoint, so no admin endpoint can forget it).
/// </summary>
public sealed class AdminAudit(CosmosDb db, TimeProvider time, ILogger<AdminAudit> logger)
{
    private static readonly HashSet<string> Mutating = new(StringComparer.OrdinalIgnoreCase) { "POST", "PUT", "PATCH", "DELETE" };

    public static bool Applies(HttpRequest request) =>
        Mutating.Contains(request.Method) && request.Path.StartsWithSegments("/api/admin", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Records a finished admin request that succeeded. The action has already happened, so a failing write is logged
    /// as an error (for the operators' alerting) rather than turned into a failed answer.
    /// </summary>
    public async Task RecordAsync(HttpContext context, CancellationToken ct)
    {
        if (context.Response.StatusCode is < 200 or > 299 || context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var at = time.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        var sortKey = CosmosExtensions.TimeSortKey(at, id);
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        var entry = new AdminAuditEntry
        {
            Id = $"audit:{sortKey}",
            AdminId = context.User.UserId(),
            Method = context.Request.Method,
            Route = route,
            Path = context.Request.Path.Value ?? "",
            TargetIds = [.. context.Request.RouteValues.Values.OfType<string>()],
            Status = context.Response.StatusCode,
            Body = await ReadBodyAsync(context.Request, ct),
            TraceId = context.TraceIdentifier,
            At = at,
            SortKey = sortKey,
        };
        try
        {
            await db.System.CreateItemAsync(entry, new PartitionKey(entry.Id), cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Audit entry of admin {AdminId} {Method} {Path} (trace {TraceId}) could not be written",
                entry.AdminId, entry.Method, entry.Path, entry.TraceId);
        }
    }

    /// <summary>Newest first; optionally one admin's actions, or everything done to one id.</summary>
    public Task<Page<AdminAuditEntry>> ListAsync(string? adminId, string? targetId, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var where = new StringBuilder("c.type = @type");
        var parameters = new Dictionary<string, object?> { ["@type"] = AdminAuditEntry.Kind };
        if (!string.IsNullOrEmpty(adminId))
        {
            where.Append(" AND c.adminId = @admin");
            parameters["@admin"] = adminId;
        }

        if (!string.IsNullOrEmpty(targetId))
        {
            where.Append(" AND ARRAY_CONTAINS(c.targetIds, @target)");
            parameters["@target"] = targetId;
        }

        return db.System.KeysetPageAsync<AdminAuditEntry>(null, where.ToString(), parameters, "sortKey", descending: true, e => e.SortKey,
            ContinuationTokens.Fingerprint("admin-audit", adminId, targetId), continuationToken, pageSize, ct);
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.Body.CanSeek || request.ContentLength is 0)
        {
            return null;
        }

        request.Body.Position = 0;
        var buffer = new char[AdminAuditEntry.MaxBodyChars];
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return read == 0 ? null : new string(buffer, 0, read);
    }
}

public static class AdminAuditEndpoints
{
    /// <summary>Buffers admin request bodies (so the audit can read what was sent) and records each successful change.</summary>
    public static IApplicationBuilder UseAdminAudit(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            if (!AdminAudit.Applies(context.Request))
            {
                await next(context);
                return;
            }

            context.Request.EnableBuffering();
            await next(context);
            await context.RequestServices.GetRequiredService<AdminAudit>().RecordAsync(context, context.RequestAborted);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapAdminAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/admin/audit", async Task<Ok<Page<AdminAuditView>>> (string? adminId, string? targetId, string? continuationToken, int? pageSize,
            AdminAudit audit, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).Optional("adminId", adminId, 64).Optional("targetId", targetId, 200).ThrowIfInvalid();
            var page = await audit.ListAsync(adminId, targetId, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<AdminAuditView>([.. page.Items.Select(AdminAuditView.Of)], page.ContinuationToken));
        }).WithTags("Admin audit").RequireAuthorization(Roles.Admin)
            .WithSummary("The audit log: every change an admin made (newest first), optionally by admin or by the id acted on");
        return routes;
    }
}
