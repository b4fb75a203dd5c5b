using HomeService.Domain.Common;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Customers;

public sealed record ProfileView(
    string Id, IReadOnlyList<string> Roles, string? Nickname, string? AvatarUrl, string? Gender, string? ContactPhone, string? LoginPhone, DateTimeOffset CreatedAt);

public sealed record UpdateProfileRequest(string? Nickname, string? AvatarUrl, string? Gender, string? ContactPhone);

/// <summary>The signed-in person's own profile (any role): GET/PUT /api/me.</summary>
public static class Profile
{
    private static readonly string[] Genders = ["male", "female", "unknown"];

    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/api/me").WithTags("Profile").RequireAuthorization();

        me.MapGet("/", async Task<Ok<ProfileView>> (HttpContext http, UserAccounts users, CancellationToken ct) =>
        {
            var user = await users.FindAsync(http.User.UserId(), ct) ?? throw new NotFoundException("res.user");
            ETags.Set(http.Response, user.ETag);
            return TypedResults.Ok(View(user));
        }).WithSummary("My profile (ETag for updates)");

        me.MapPut("/", async Task<Ok<ProfileView>> (UpdateProfileRequest request, HttpContext http, UserAccounts users, CancellationToken ct) =>
        {
            var v = new Validator()
                .Optional("nickname", request.Nickname, 32)
                .Optional("avatarUrl", request.AvatarUrl, 512)
                .Check(request.Gender is null || Genders.Contains(request.Gender), "gender", "invalid")
                .Check(request.AvatarUrl is null || Uri.TryCreate(request.AvatarUrl, UriKind.Absolute, out _), "avatarUrl", "invalid");
            if (request.ContactPhone is not null)
            {
                v.Phone("contactPhone", request.ContactPhone);
            }

            v.ThrowIfInvalid();
            var ifMatch = ETags.RequireIfMatch(http.Request);
            var user = await users.FindAsync(http.User.UserId(), ct) ?? throw new NotFoundException("res.user");
            string? contactPhone = null;
            if (request.ContactPhone is not null)
            {
                PhoneNumber.TryNormalize(request.ContactPhone, out var normalized);
                contactPhone = normalized;
            }

            var updated = await users.ReplaceAsync(user with
            {
                Nickname = request.Nickname?.Trim(),
                AvatarUrl = request.AvatarUrl,
                Gender = request.Gender,
                ContactPhone = contactPhone,
            }, ifMatch, ct);
            ETags.Set(http.Response, updated.ETag);
            return TypedResults.Ok(View(updated));
        }).WithSummary("Update my profile (If-Match required)").RequiresIfMatch();

        return routes;
    }

    private static ProfileView View(UserDocument user) =>
        new(user.Id, user.Roles, user.Nickname, user.AvatarUrl, user.Gender, user.ContactPhone, user.Phone, user.CreatedAt);
}
