using HomeService.Domain.Workers;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Merchants;

public sealed record JoinMerchantRequest(string? Code);

public sealed record AdminMerchantView(MerchantView Merchant, string? ReviewedBy, IReadOnlyList<AuditDocumentView> DocumentUrls);

public static class MerchantEndpoints
{
    /// <summary>/api/merchant/**: the merchant role, and only the caller's own merchant and staff.</summary>
    public static IEndpointRouteBuilder MapMerchantEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/merchant/registration", async Task<Created<MerchantView>> (MerchantRequest? request, HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            var merchant = await merchants.RegisterAsync(http.User.UserId(), request, ct);
            ETags.Set(http.Response, merchant.ETag);
            return TypedResults.Created("/api/merchant/profile", MerchantView.Of(merchant));
        }).RequireAuthorization().WithTags("Merchant").WithSummary("Register a merchant, with its profile or bare like a worker (grants the merchant role: refresh the token afterwards)");

        var merchant = routes.MapGroup("/api/merchant").WithTags("Merchant").RequireAuthorization(Roles.Merchant);

        merchant.MapGet("/profile", async Task<Ok<MerchantView>> (HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            var found = await merchants.GetOwnAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, found.ETag);
            return TypedResults.Ok(MerchantView.Of(found));
        }).WithSummary("My merchant and its audit status");

        merchant.MapPut("/profile", async Task<Ok<MerchantView>> (MerchantRequest request, HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            var updated = await merchants.UpdateAsync(http.User.UserId(), ifMatch, request, ct);
            ETags.Set(http.Response, updated.ETag);
            return TypedResults.Ok(MerchantView.Of(updated));
        }).WithSummary("Edit my merchant before submitting or after a rejection (If-Match required)").RequiresIfMatch();

        merchant.MapPost("/application/submit", async Task<Ok<MerchantView>> (HttpContext http, MerchantStore merchants, TimeProvider time, CancellationToken ct) =>
        {
            var submitted = await merchants.SubmitAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, submitted.ETag);
            return TypedResults.Ok(MerchantView.Of(submitted));
        }).WithSummary("Submit (or resubmit) my merchant for audit");

        merchant.MapPost("/staff/invites", async Task<Created<InviteView>> (HttpContext http, MerchantStore merchants, CancellationToken ct) =>
            TypedResults.Created((string?)null, await merchants.CreateInviteAsync(http.User.UserId(), ct)))
            .WithSummary("A staff invite code (approved merchants; valid 7 days)");

        merchant.MapGet("/staff", async Task<Ok<IReadOnlyList<StaffView>>> (HttpContext http, MerchantStore merchants, CancellationToken ct) =>
            TypedResults.Ok(await merchants.ListStaffAsync(http.User.UserId(), ct))).WithSummary("My staff");

        merchant.MapDelete("/staff/{workerId}", async Task<NoContent> (string workerId, HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            await merchants.RemoveStaffAsync(http.User.UserId(), workerId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Remove one of my staff");

        var workerSide = routes.MapGroup("/api/worker/merchant").WithTags("Worker").RequireAuthorization(Roles.Worker);

        workerSide.MapPost("/join", async Task<Ok<WorkerProfileView>> (JoinMerchantRequest request, HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            var worker = await merchants.JoinAsync(http.User.UserId(), request.Code, ct);
            ETags.Set(http.Response, worker.ETag);
            return TypedResults.Ok(WorkerProfileView.Of(worker));
        }).WithSummary("Join a merchant's staff with an invite code (at most one merchant)");

        workerSide.MapDelete("/", async Task<NoContent> (HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            await merchants.LeaveAsync(http.User.UserId(), ct);
            return TypedResults.NoContent();
        }).WithSummary("Leave my merchant");

        return routes;
    }

    /// <summary>/api/admin/merchants/**: the merchant audit queue and decisions (admin role).</summary>
    public static IEndpointRouteBuilder MapAdminMerchantEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin/merchants").WithTags("Admin merchants").RequireAuthorization(Roles.Admin);

        admin.MapGet("/", async Task<Ok<Page<MerchantView>>> (string? status, string? continuationToken, int? pageSize, MerchantStore merchants, CancellationToken ct) =>
        {
            var wanted = Audit.ParseStatus(status, AuditStatus.Submitted);
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await merchants.ListByStatusAsync(wanted, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<MerchantView>(page.Items.Select(MerchantView.Of).ToArray(), page.ContinuationToken));
        }).WithSummary("Merchants by audit status (default submitted), oldest submission first");

        admin.MapGet("/{id}", async Task<Ok<AdminMerchantView>> (string id, HttpContext http, MerchantStore merchants, CancellationToken ct) =>
        {
            var merchant = await merchants.GetAsync(id, ct);
            ETags.Set(http.Response, merchant.ETag);
            return TypedResults.Ok(await ViewAsync(merchant, merchants, ct));
        }).WithSummary("A merchant's application with a short-lived licence URL");

        MapDecision(admin, "approve", (admin, _, now) => new Approve(admin, now));
        MapDecision(admin, "reject", (admin, reason, now) => new Reject(admin, reason!, now));
        MapDecision(admin, "suspend", (admin, reason, now) => new Suspend(admin, reason!, now));
        MapDecision(admin, "reinstate", (admin, _, now) => new Reinstate(admin, now));
        MapDecision(admin, "ban", (admin, reason, now) => new Ban(admin, reason!, now));
        return routes;
    }

    private static void MapDecision(RouteGroupBuilder admin, string action, Func<string, string?, DateTimeOffset, AuditCommand> command) =>
        admin.MapPost($"/{{id}}/{action}", async Task<Ok<AdminMerchantView>> (
            string id, AuditReasonRequest? request, HttpContext http, MerchantStore merchants, TimeProvider time, CancellationToken ct) =>
        {
            var adminId = http.User.UserId();
            var merchant = await merchants.DecideAsync(id, _ => command(adminId, request?.Reason, time.GetUtcNow()), ct);
            ETags.Set(http.Response, merchant.ETag);
            return TypedResults.Ok(await ViewAsync(merchant, merchants, ct));
        }).WithSummary($"Audit decision: {action} (repeating the decision already taken changes nothing; other states answer 409)");

    private static async Task<AdminMerchantView> ViewAsync(MerchantDocument merchant, MerchantStore merchants, CancellationToken ct)
    {
        var url = await merchants.LicenceUrlAsync(merchant, ct);
        return new AdminMerchantView(MerchantView.Of(merchant), merchant.ReviewedBy,
            [new AuditDocumentView("licence", merchant.LicenceUploadId, url?.Url, url?.ExpiresAt)]);
    }
}
