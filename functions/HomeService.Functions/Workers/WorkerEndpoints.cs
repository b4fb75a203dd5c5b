using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Workers;

public sealed record AcceptingRequest(bool? Accepting);

public static class WorkerEndpoints
{
    /// <summary>/api/worker/**: the worker role and only the caller's own worker; registration needs only a signed-in user.</summary>
    public static IEndpointRouteBuilder MapWorkerEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/worker/registration", async Task<Created<WorkerProfileView>> (HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            var worker = await workers.RegisterAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, worker.ETag);
            return TypedResults.Created("/api/worker/profile", WorkerProfileView.Of(worker));
        }).RequireAuthorization().WithTags("Worker").WithSummary("Register as a worker (grants the worker role: refresh the token afterwards)");

        var worker = routes.MapGroup("/api/worker").WithTags("Worker").RequireAuthorization(Roles.Worker);

        worker.MapGet("/profile", async Task<Ok<WorkerProfileView>> (HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            var found = await workers.GetAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, found.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(found));
        }).WithSummary("My worker profile and audit status (ETag for updates)");

        worker.MapPut("/profile", async Task<Ok<WorkerProfileView>> (WorkerProfileRequest request, HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            var updated = await workers.UpdateProfileAsync(http.User.UserId(), ifMatch, request, ct);
            ETags.Set(http.Response, updated.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(updated));
        }).WithSummary("Replace my profile (If-Match required; idNumber null keeps the stored one)").RequiresIfMatch();

        worker.MapPut("/accepting", async Task<Ok<WorkerProfileView>> (AcceptingRequest request, HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            new Validator().Check(request.Accepting is not null, "accepting", "required").ThrowIfInvalid();
            var updated = await workers.SetAcceptingAsync(http.User.UserId(), request.Accepting!.Value, ct);
            ETags.Set(http.Response, updated.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(updated));
        }).WithSummary("Switch taking orders on (approved workers only) or off");

        worker.MapPost("/application/submit", async Task<Ok<WorkerProfileView>> (HttpContext http, WorkerStore workers, CancellationToken ct) =>
        {
            var submitted = await workers.SubmitAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, submitted.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(submitted));
        }).WithSummary("Submit (or resubmit after rejection) my application for audit");

        routes.MapGet("/api/workers/{id}", async Task<Ok<WorkerCard>> (string id, WorkerStore workers, UploadStore uploads, Reviews.OrderReviews reviews, CancellationToken ct) =>
        {
            var found = await workers.FindAsync(id, ct);
            if (found is not { Status: AuditStatus.Approved })
            {
                throw new NotFoundException("res.worker", id);
            }

            var avatar = await uploads.ReadUrlForAsync(found.Id, found.Documents.Avatar, ct);
            var recent = await reviews.ListForWorkerAsync(found.Id, null, RecentReviews, ct);
            return TypedResults.Ok(new WorkerCard(found.Id, WorkerCard.DisplayNameOf(found.RealName), found.Gender, found.YearsOfExperience, found.Intro,
                found.Skills, found.Rating, avatar?.Url, WorkerChoices.Verified(found), await reviews.BreakdownAsync(found.Id, ct), recent.Items));
        }).AllowAnonymous().WithTags("Workers")
            .WithSummary("Public card of an approved worker: skills, certificates shown as verified, rating with its breakdown, the newest reviews");

        return routes;
    }

    /// <summary>How many of the newest reviews a card shows.</summary>
    public const int RecentReviews = 3;
}
