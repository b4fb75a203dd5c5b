using HomeService.Domain.Workers;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Workers;

public sealed record AuditReasonRequest(string? Reason);

/// <summary>A document the auditor opens: the upload id and a short-lived read URL (null if the upload is gone).</summary>
public sealed record AuditDocumentView(string Field, string UploadId, Uri? Url, DateTimeOffset? ExpiresAt);

public sealed record AdminWorkerSummary(
    string Id, AuditStatus Status, string RealName, string? CityId, int SkillCount, string? MerchantId, DateTimeOffset? SubmittedAt, DateTimeOffset CreatedAt);

public sealed record AdminWorkerView(WorkerProfileView Profile, string? ReviewedBy, IReadOnlyList<AuditDocumentView> DocumentUrls);

public static class AdminWorkerEndpoints
{
    /// <summary>/api/admin/workers/**: the audit queue and decisions (admin role).</summary>
    public static IEndpointRouteBuilder MapAdminWorkerEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin/workers").WithTags("Admin workers").RequireAuthorization(Roles.Admin);

        admin.MapGet("/", async Task<Ok<Page<AdminWorkerSummary>>> (string? status, string? continuationToken, int? pageSize, WorkerStore workers, CancellationToken ct) =>
        {
            var wanted = Audit.ParseStatus(status, AuditStatus.Submitted);
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await workers.ListByStatusAsync(wanted, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<AdminWorkerSummary>(page.Items.Select(w => new AdminWorkerSummary(
                w.Id, w.Status, w.RealName, w.CityId.Length == 0 ? null : w.CityId, w.Skills.Count, w.MerchantId, w.SubmittedAt, w.CreatedAt)).ToArray(),
                page.ContinuationToken));
        }).WithSummary("Workers by audit status (default submitted), oldest submission first");

        admin.MapGet("/{id}", async Task<Ok<AdminWorkerView>> (string id, HttpContext http, WorkerStore workers, UploadStore uploads, CancellationToken ct) =>
        {
            var worker = await workers.GetAsync(id, ct);
            ETags.Set(http.Response, worker.ETag);
            return TypedResults.Ok(await ViewAsync(worker, uploads, ct));
        }).WithSummary("A worker's application with short-lived document URLs");

        MapDecision(admin, "approve", (admin, _, now) => new Approve(admin, now));
        MapDecision(admin, "reject", (admin, reason, now) => new Reject(admin, reason!, now));
        MapDecision(admin, "suspend", (admin, reason, now) => new Suspend(admin, reason!, now));
        MapDecision(admin, "reinstate", (admin, _, now) => new Reinstate(admin, now));
        MapDecision(admin, "ban", (admin, reason, now) => new Ban(admin, reason!, now));
        return routes;
    }

    private static void MapDecision(RouteGroupBuilder admin, string action, Func<string, string?, DateTimeOffset, AuditCommand> command) =>
        admin.MapPost($"/{{id}}/{action}", async Task<Ok<AdminWorkerView>> (
            string id, AuditReasonRequest? request, HttpContext http, WorkerStore workers, UploadStore uploads, TimeProvider time, CancellationToken ct) =>
        {
            var adminId = http.User.UserId();
            var worker = await workers.DecideAsync(id, _ => command(adminId, request?.Reason, time.GetUtcNow()), ct);
            ETags.Set(http.Response, worker.ETag);
            return TypedResults.Ok(await ViewAsync(worker, uploads, ct));
        }).WithSummary($"Audit decision: {action} (repeating the decision already taken changes nothing; other states answer 409)");

    public static async Task<AdminWorkerView> ViewAsync(WorkerDocument worker, UploadStore uploads, CancellationToken ct)
    {
        var d = worker.Documents;
        var fields = new List<(string Field, string? UploadId)>
        {
            ("idCardFront", d.IdCardFront), ("idCardBack", d.IdCardBack), ("skillCertificate", d.SkillCertificate),
            ("healthCertificate", d.HealthCertificate), ("avatar", d.Avatar),
        };
        fields.AddRange((d.LifePhotos ?? []).Select((p, i) => ($"lifePhotos[{i}]", (string?)p)));
        var documents = new List<AuditDocumentView>();
        foreach (var (field, uploadId) in fields.Where(f => f.UploadId is not null))
        {
            var url = await uploads.ReadUrlForAsync(worker.Id, uploadId, ct);
            documents.Add(new AuditDocumentView(field, uploadId!, url?.Url, url?.ExpiresAt));
        }

        return new AdminWorkerView(WorkerProfileView.Of(worker), worker.ReviewedBy, documents);
    }
}
