using System.Net;
using System.Text.Json.Serialization;
using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Auth;

public sealed record UserDocument
{
    public required string Id { get; init; }
    public required List<string> Roles { get; init; }
    public string? Nickname { get; init; }
    public string? AvatarUrl { get; init; }
    public string? Gender { get; init; }
    /// <summary>E.164 login phone, when the user signed in by phone.</summary>
    public string? Phone { get; init; }
    public string? ContactPhone { get; init; }
    public string? WeChatOpenId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>Maps a login identity to its user, creating both on first login.</summary>
internal sealed record IdentityDocument(string Id, string UserId, DateTimeOffset CreatedAt);

/// <summary>User accounts and the identities that log into them (users and identities containers).</summary>
public sealed class UserAccounts(CosmosDb db, TimeProvider time, IOptions<AuthOptions> options, ILogger<UserAccounts> logger)
{
    public async Task<UserDocument?> FindAsync(string userId, CancellationToken ct)
        => (await db.Users.ReadOrNullAsync<UserDocument>(userId, userId, ct))?.Resource;

    public Task<UserDocument> LoginByPhoneAsync(string e164, CancellationToken ct)
        => GetOrCreateAsync($"phone:{e164}", phone: e164, openId: null, ct);

    public Task<UserDocument> LoginByWeChatAsync(string openId, CancellationToken ct)
        => GetOrCreateAsync($"wx:{openId}", phone: null, openId: openId, ct);

    /// <summary>Adds a role (e.g. worker on registration) with an ETag-conditional replace; repeats are no-ops.</summary>
    public async Task<UserDocument> GrantRoleAsync(string userId, string role, CancellationToken ct)
    {
        while (true)
        {
            var user = await FindAsync(userId, ct) ?? throw new InvalidOperationException($"User {userId} vanished.");
            if (user.Roles.Contains(role))
            {
                return user;
            }

            try
            {
                var updated = user with { Roles = [.. user.Roles, role], UpdatedAt = time.GetUtcNow() };
                var response = await db.Users.ReplaceItemAsync(updated, userId, new PartitionKey(userId), new ItemRequestOptions { IfMatchEtag = user.ETag }, ct);
                logger.LogInformation("Role {Role} granted to user {UserId}", role, userId);
                return response.Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Lost a race with another profile change: read again and re-apply.
            }
        }
    }

    public async Task<UserDocument> ReplaceAsync(UserDocument user, string ifMatch, CancellationToken ct)
    {
        var response = await db.Users.ReplaceItemAsync(user with { UpdatedAt = time.GetUtcNow() }, user.Id, new PartitionKey(user.Id),
            new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        return response.Resource;
    }

    private async Task<UserDocument> GetOrCreateAsync(string identityId, string? phone, string? openId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        string userId;
        try
        {
            // Create-if-absent on the identity id: of two first logins racing, exactly one creates the mapping.
            var candidate = new IdentityDocument(identityId, Guid.NewGuid().ToString("N"), now);
            await db.Identities.CreateItemAsync(candidate, new PartitionKey(identityId), cancellationToken: ct);
            userId = candidate.UserId;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await db.Identities.ReadItemAsync<IdentityDocument>(identityId, new PartitionKey(identityId), cancellationToken: ct);
            userId = existing.Resource.UserId;
        }

        var user = await FindAsync(userId, ct);
        if (user is null)
        {
            try
            {
                var created = new UserDocument
                {
                    Id = userId,
                    Roles = [Roles.Customer],
                    Phone = phone,
                    ContactPhone = phone,
                    WeChatOpenId = openId,
                    CreatedAt = now,
                };
                user = (await db.Users.CreateItemAsync(created, new PartitionKey(userId), cancellationToken: ct)).Resource;
                logger.LogInformation("User {UserId} created on first login", userId);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                user = (await FindAsync(userId, ct))!;
            }
        }

        if (phone is not null && IsBootstrapAdmin(phone) && !user.Roles.Contains(Roles.Admin))
        {
            user = await GrantRoleAsync(userId, Roles.Admin, ct);
        }

        return user;
    }

    private bool IsBootstrapAdmin(string e164) =>
        options.Value.BootstrapAdminPhones.Any(p => PhoneNumber.TryNormalize(p, out var normalized) && normalized == e164);
}
