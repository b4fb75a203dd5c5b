using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Workers;

public sealed record AdminWorkerChangeSummary(string Id, string RealName, string CityId, WorkerPendingChange Change);

/// <summary>
/// Re-audit of approved workers' profile changes (<see cref="Domain.Workers.ProfileChanges"/>): the admins' queue and
/// decisions (/api/admin/workers/changes, /api/admin/workers/{id}/change/approve|reject), and the worker withdrawing a
/// change (/api/worker/profile/pending-change).
/// </summary>
public static class WorkerChangeEndpoints
{
    public static IEndpointRouteBuilder MapWorkerChangeEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin/workers").WithTags("Admin workers").RequireAuthorization(Roles.Admin);

        admin.MapGet("/changes", async Task<Ok<Page<AdminWorkerChangeSummary>>> (string? continuationToken, int? pageSize, WorkerStore workers, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await workers.ListPendingChangesAsync(continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<AdminWorkerChangeSummary>(
                [.. page.Items.Select(w => new AdminWorkerChangeSummary(w.Id, w.RealName, w.CityId, w.PendingChange!))], page.ContinuationToken));
        }).WithSummary("Approved workers' profile changes waiting for re-audit (city, new skills, skill certificate, prices outside the range), oldest first");

        admin.MapPost("/{id}/change/approve", (string id, HttpContext http, WorkerStore workers, UploadStore uploads, CancellationToken ct) =>
                DecideAsync(id, approve: true, null, http, workers, uploads, ct))
            .WithSummary("Approve the worker's waiting profile change: it becomes their profile (409 when nothing waits)");

        admin.MapPost("/{id}/change/reject", (string id, AuditReasonRequest? request, HttpContext http, WorkerStore workers, UploadStore uploads, CancellationToken ct) =>
                DecideAsync(id, approve: false, request?.Reason, http, workers, uploads, ct))
            .WithSummary("Reject the worker's waiting profile change, with a reason; the profile stays as audited");

        routes.MapDelete("/api/worker/profile/pending-change", async Task<Ok<WorkerProfileView>> (HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            var worker = await workers.WithdrawPendingChangeAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, worker.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(worker));
        }).RequireAuthorization(Roles.Worker).WithTags("Worker").WithSummary("Withdraw my profile change waiting for re-audit");
        return routes;
    }

    private static async Task<Ok<AdminWorkerView>> DecideAsync(
        string id, bool approve, string? reason, HttpContext http, WorkerStore workers, UploadStore uploads, CancellationToken ct)
    {
        var worker = await workers.DecidePendingChangeAsync(id, http.User.UserId(), approve, reason, ct);
        ETags.Set(http.Response, worker.ETag);
        return TypedResults.Ok(await AdminWorkerEndpoints.ViewAsync(worker, uploads, ct));
    }
}
