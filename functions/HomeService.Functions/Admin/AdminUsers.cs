using HomeService.Domain.Common;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Admin;

public sealed record AdminUserView(string Id, IReadOnlyList<string> Roles, string? Nickname, string? MaskedPhone, DateTimeOffset CreatedAt);

/// <summary>Admin look-up of a user account (support cases); the phone is shown masked.</summary>
public static class AdminUsers
{
    public static IEndpointRouteBuilder MapAdminUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin/users").WithTags("Admin users").RequireAuthorization(Roles.Admin);

        admin.MapGet("/{id}", async Task<Ok<AdminUserView>> (string id, UserAccounts users, CancellationToken ct) =>
        {
            var user = await users.FindAsync(id, ct) ?? throw new NotFoundException("res.user", id);
            return TypedResults.Ok(new AdminUserView(user.Id, user.Roles, user.Nickname,
                user.Phone is null ? null : PhoneNumber.Mask(user.Phone), user.CreatedAt));
        }).WithSummary("A user's account and roles");

        return routes;
    }
}
