using HomeService.Functions.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Uploads;

public static class UploadEndpoints
{
    /// <summary>/api/uploads/**: any signed-in user, and only their own uploads.</summary>
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder routes)
    {
        var uploads = routes.MapGroup("/api/uploads").WithTags("Uploads").RequireAuthorization();

        uploads.MapPost("/", async Task<Created<UploadTicket>> (CreateUploadRequest request, HttpContext http, UploadStore store, CancellationToken ct) =>
        {
            var ticket = await store.CreateAsync(http.User.UserId(), request, ct);
            return TypedResults.Created($"/api/uploads/{ticket.UploadId}", ticket);
        }).WithSummary("Start an upload: a create-only SAS URL for one blob (PUT the file there, then confirm)");

        uploads.MapPost("/{uploadId}/confirm", async Task<Ok<UploadView>> (string uploadId, HttpContext http, UploadStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.ConfirmAsync(http.User.UserId(), uploadId, ct)))
            .WithSummary("Confirm an upload: checks size, content type and the file's magic number");

        uploads.MapGet("/{uploadId}", async Task<Ok<UploadView>> (string uploadId, HttpContext http, UploadStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.GetAsync(http.User.UserId(), uploadId, ct)))
            .WithSummary("One of my uploads, with a short-lived read URL once confirmed");

        return routes;
    }
}
