using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using HomeService.Domain.Common;
using HomeService.Domain.Workers;
using HomeService.Functions.Auth;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Uploads;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Merchants;

/// <summary>
/// A merchant (商户 / 门店 / 家政公司) in the `workers` container (partition key /id), id = <c>m_{owner user id}</c>
/// so a person can be both a worker (id = user id) and a merchant.
/// </summary>
public sealed record MerchantDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "merchant";
    public required string OwnerUserId { get; init; }
    public required AuditStatus Status { get; init; }
    public required string Name { get; init; }
    public required string LicenceNumber { get; init; }
    public required string ContactName { get; init; }
    public required string ContactPhone { get; init; }
    public required string CityId { get; init; }
    public required string Address { get; init; }
    public required GeoLocation Location { get; init; }
    public required string LicenceUploadId { get; init; }
    public string? RejectionReason { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    /// <summary>Keyset paging key of the admin audit queue, derived and written with every document (see WorkerDocument).</summary>
    public string SubmittedKey => CosmosExtensions.TimeSortKey(SubmittedAt ?? CreatedAt, Id);
    public DateTimeOffset? ReviewedAt { get; init; }
    public string? ReviewedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public static string IdFor(string ownerUserId) => $"m_{ownerUserId}";
}

/// <summary>A staff invite: one document per code (id = <c>invite:{code}</c>), so a code is looked up by a point read.</summary>
public sealed record MerchantInvite(string Id, string Code, string MerchantId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public string Type { get; init; } = "merchant-invite";

    public static string IdFor(string code) => $"invite:{code}";
}

public sealed record MerchantRequest(
    string? Name, string? LicenceNumber, string? ContactName, string? ContactPhone, string? CityId, string? Address,
    GeoLocation? Location, string? LicenceUploadId);

public sealed record MerchantView(
    string Id, AuditStatus Status, string? RejectionReason, string Name, string LicenceNumber, string ContactName, string ContactPhone,
    string CityId, string Address, GeoLocation Location, string LicenceUploadId, DateTimeOffset? SubmittedAt, DateTimeOffset? ReviewedAt,
    DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt)
{
    public static MerchantView Of(MerchantDocument m) => new(
        m.Id, m.Status, m.RejectionReason, m.Name, m.LicenceNumber, m.ContactName, m.ContactPhone, m.CityId, m.Address, m.Location,
        m.LicenceUploadId, m.SubmittedAt, m.ReviewedAt, m.CreatedAt, m.UpdatedAt);
}

public sealed record InviteView(string Code, DateTimeOffset ExpiresAt);

/// <summary>What a merchant sees of a staff member: work data, never the ID number, documents or phone.</summary>
public sealed record StaffView(string WorkerId, string RealName, AuditStatus Status, bool Accepting, string? CityId, IReadOnlyList<string> SkillItemIds, RatingSummary Rating);

public sealed class MerchantStore(CosmosDb db, UserAccounts users, UploadStore uploads, WorkerStore workers, TimeProvider time, ILogger<MerchantStore> logger)
{
    public static readonly TimeSpan InviteLifetime = TimeSpan.FromDays(7);
    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<MerchantDocument?> FindAsync(string merchantId, CancellationToken ct)
    {
        var found = (await db.Workers.ReadOrNullAsync<MerchantDocument>(merchantId, merchantId, ct))?.Resource;
        return found?.Type == "merchant" ? found : null;
    }

    public async Task<MerchantDocument> GetAsync(string merchantId, CancellationToken ct) =>
        await FindAsync(merchantId, ct) ?? throw new NotFoundException("res.merchant", merchantId);

    public Task<MerchantDocument> GetOwnAsync(string userId, CancellationToken ct) => GetAsync(MerchantDocument.IdFor(userId), ct);

    /// <summary>
    /// Registers the caller's merchant: with a profile (validated as a PUT is), or — like a worker's registration — bare,
    /// to be filled in with PUT /api/merchant/profile before submitting.
    /// </summary>
    public async Task<MerchantDocument> RegisterAsync(string userId, MerchantRequest? request, CancellationToken ct)
    {
        if (request is not null)
        {
            await ValidateAsync(userId, request, ct);
        }

        var now = time.GetUtcNow();
        var id = MerchantDocument.IdFor(userId);
        var bare = new MerchantDocument
        {
            Id = id,
            OwnerUserId = userId,
            Status = AuditStatus.Registered,
            Name = "",
            LicenceNumber = "",
            ContactName = "",
            ContactPhone = "",
            CityId = "",
            Address = "",
            Location = new GeoLocation(0, 0),
            LicenceUploadId = "",
            CreatedAt = now,
        };
        var merchant = request is null ? bare : Apply(bare, request);
        try
        {
            merchant = (await db.Workers.CreateItemAsync(merchant, new PartitionKey(id), cancellationToken: ct)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            await users.GrantRoleAsync(userId, Roles.Merchant, ct);
            throw new ConflictException("already_exists", "res.merchant");
        }

        await users.GrantRoleAsync(userId, Roles.Merchant, ct);
        logger.LogInformation("Merchant {MerchantId} registered by user {UserId}", id, userId);
        return merchant;
    }

    public async Task<MerchantDocument> UpdateAsync(string userId, string ifMatch, MerchantRequest request, CancellationToken ct)
    {
        var current = await GetOwnAsync(userId, ct);
        if (current.Status is not (AuditStatus.Registered or AuditStatus.Rejected))
        {
            // What an admin approved (or is reviewing) is what stays; changes go through a new application.
            throw Audit.WrongState(current.Status, "editProfile");
        }

        await ValidateAsync(userId, request, ct);
        var next = Apply(current, request) with { UpdatedAt = time.GetUtcNow() };
        return (await db.Workers.ReplaceItemAsync(next, next.Id, new PartitionKey(next.Id), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct)).Resource;
    }

    /// <summary>Registered or Rejected → Submitted, once the profile is complete (400 naming each missing field).</summary>
    public async Task<MerchantDocument> SubmitAsync(string userId, CancellationToken ct)
    {
        var current = await GetOwnAsync(userId, ct);
        if (current.Status is AuditStatus.Registered or AuditStatus.Rejected)
        {
            await ValidateAsync(userId, new MerchantRequest(
                Blank(current.Name), Blank(current.LicenceNumber), Blank(current.ContactName), Blank(current.ContactPhone), Blank(current.CityId),
                Blank(current.Address), current.LicenceUploadId.Length == 0 ? null : current.Location, Blank(current.LicenceUploadId)), ct);
        }

        return await DecideAsync(current.Id, _ => new Submit(time.GetUtcNow()), ct);
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;

    /// <summary>Read, decide, ETag-conditional replace; on 412 read again and decide again.</summary>
    public async Task<MerchantDocument> DecideAsync(string merchantId, Func<MerchantDocument, AuditCommand> command, CancellationToken ct)
    {
        while (true)
        {
            var merchant = await GetAsync(merchantId, ct);
            var decision = AuditTransitions.Decide(command(merchant),
                new AuditRecord(merchant.Status.ToDomain(), merchant.RejectionReason, merchant.SubmittedAt, merchant.ReviewedAt, merchant.ReviewedBy));
            Audit.ThrowIfError(decision);
            if (decision.IsNoOp)
            {
                return merchant;
            }

            var next = decision.Next!;
            var updated = merchant with
            {
                Status = next.Status.FromDomain(),
                RejectionReason = next.Reason,
                SubmittedAt = next.SubmittedAt,
                ReviewedAt = next.ReviewedAt,
                ReviewedBy = next.ReviewedBy,
                UpdatedAt = time.GetUtcNow(),
            };
            try
            {
                updated = (await db.Workers.ReplaceItemAsync(updated, updated.Id, new PartitionKey(updated.Id), new ItemRequestOptions { IfMatchEtag = merchant.ETag }, ct)).Resource;
                logger.LogInformation("Merchant {MerchantId} audit {From} -> {To}", merchantId, merchant.Status, updated.Status);
                return updated;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile: decide again on the current document.
            }
        }
    }

    public Task<Page<MerchantDocument>> ListByStatusAsync(AuditStatus status, string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Workers.KeysetPageAsync<MerchantDocument>(null, "c.type = 'merchant' AND c.status = @s", new Dictionary<string, object?> { ["@s"] = Audit.Wire(status) },
            "submittedKey", descending: false, m => m.SubmittedKey, ContinuationTokens.Fingerprint("admin-merchants", Audit.Wire(status)),
            continuationToken, pageSize, ct);

    /// <summary>An approved merchant's invite code, valid for 7 days; create-if-absent makes a code collision visible, and a new code is drawn.</summary>
    public async Task<InviteView> CreateInviteAsync(string userId, CancellationToken ct)
    {
        var merchant = await GetOwnAsync(userId, ct);
        if (merchant.Status != AuditStatus.Approved)
        {
            throw Audit.WrongState(merchant.Status, "inviteStaff");
        }

        var now = time.GetUtcNow();
        while (true)
        {
            var code = RandomNumberGenerator.GetString(CodeAlphabet, 8);
            var invite = new MerchantInvite(MerchantInvite.IdFor(code), code, merchant.Id, now, now + InviteLifetime);
            try
            {
                await db.Workers.CreateItemAsync(invite, new PartitionKey(invite.Id), cancellationToken: ct);
                logger.LogInformation("Merchant {MerchantId} created a staff invite", merchant.Id);
                return new InviteView(code, invite.ExpiresAt);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Astronomically rare; draw another code.
            }
        }
    }

    /// <summary>A worker joins the merchant of a valid invite code; joining the same merchant again is a no-op, another one is 409.</summary>
    public async Task<WorkerDocument> JoinAsync(string workerId, string? rawCode, CancellationToken ct)
    {
        var code = (rawCode ?? "").Trim().ToUpperInvariant();
        new Validator().Check(code.Length == 8 && code.All(CodeAlphabet.Contains), "code", "invite_invalid").ThrowIfInvalid();
        var invite = (await db.Workers.ReadOrNullAsync<MerchantInvite>(MerchantInvite.IdFor(code), MerchantInvite.IdFor(code), ct))?.Resource;
        if (invite is null || invite.Type != "merchant-invite" || invite.ExpiresAt <= time.GetUtcNow())
        {
            throw ValidationFailedException.For("code", "invite_invalid");
        }

        var merchant = await FindAsync(invite.MerchantId, ct);
        if (merchant is not { Status: AuditStatus.Approved })
        {
            throw ValidationFailedException.For("code", "invite_invalid");
        }

        var joined = await workers.ChangeAsync(workerId, w =>
        {
            if (w.MerchantId == merchant.Id)
            {
                return null;
            }

            return w.MerchantId is null ? w with { MerchantId = merchant.Id } : throw new ConflictException("already_in_merchant");
        }, ct);
        logger.LogInformation("Worker {WorkerId} joined merchant {MerchantId}", workerId, merchant.Id);
        return joined;
    }

    public Task<WorkerDocument> LeaveAsync(string workerId, CancellationToken ct) =>
        workers.ChangeAsync(workerId, w => w.MerchantId is null ? null : w with { MerchantId = null }, ct);

    public async Task<IReadOnlyList<StaffView>> ListStaffAsync(string userId, CancellationToken ct)
    {
        var merchant = await GetOwnAsync(userId, ct);
        var staff = await workers.ListStaffAsync(merchant.Id, ct);
        return staff.OrderBy(w => w.RealName, StringComparer.Ordinal)
            .Select(w => new StaffView(w.Id, w.RealName, w.Status, w.Accepting, w.CityId.Length == 0 ? null : w.CityId, w.SkillItemIds, w.Rating))
            .ToArray();
    }

    /// <summary>Removes one of the caller's own staff; another merchant's worker is simply not found (404).</summary>
    public async Task RemoveStaffAsync(string userId, string workerId, CancellationToken ct)
    {
        var merchant = await GetOwnAsync(userId, ct);
        var worker = await workers.FindAsync(workerId, ct);
        if (worker?.MerchantId != merchant.Id)
        {
            throw new NotFoundException("res.worker", workerId);
        }

        await workers.ChangeAsync(workerId, w => w.MerchantId == merchant.Id ? w with { MerchantId = null } : throw new NotFoundException("res.worker", workerId), ct);
        logger.LogInformation("Merchant {MerchantId} removed worker {WorkerId}", merchant.Id, workerId);
    }

    public async Task<ReadUrl?> LicenceUrlAsync(MerchantDocument merchant, CancellationToken ct) =>
        await uploads.ReadUrlForAsync(merchant.OwnerUserId, merchant.LicenceUploadId, ct);

    private async Task ValidateAsync(string userId, MerchantRequest r, CancellationToken ct)
    {
        var v = new Validator()
            .Required("name", r.Name, 64)
            .Required("licenceNumber", r.LicenceNumber, 32)
            .Check(r.LicenceNumber is null || r.LicenceNumber.Trim().All(char.IsAsciiLetterOrDigit), "licenceNumber", "invalid")
            .Required("contactName", r.ContactName, 32)
            .Phone("contactPhone", r.ContactPhone)
            .Required("cityId", r.CityId, 64)
            .Required("address", r.Address, 200)
            .Required("licenceUploadId", r.LicenceUploadId, 64);
        if (r.Location is null)
        {
            v.Add("location", "required");
        }
        else
        {
            v.Location("location.", r.Location.Latitude, r.Location.Longitude);
        }

        if (!string.IsNullOrWhiteSpace(r.CityId) && await db.Catalog.ReadOrNullAsync<JsonElement>(r.CityId, CityDocument.Kind, ct) is null)
        {
            v.Add("cityId", "unknown_reference");
        }

        if (!string.IsNullOrWhiteSpace(r.LicenceUploadId))
        {
            var upload = await uploads.FindAsync(userId, r.LicenceUploadId, ct);
            if (upload is null || upload.Status != UploadStatus.Confirmed)
            {
                v.Add("licenceUploadId", "upload_not_confirmed");
            }
            else if (upload.Kind != UploadKinds.BusinessLicence)
            {
                v.Add("licenceUploadId", "upload_wrong_kind", UploadKinds.BusinessLicence);
            }
        }

        v.ThrowIfInvalid();
    }

    private static MerchantDocument Apply(MerchantDocument m, MerchantRequest r)
    {
        PhoneNumber.TryNormalize(r.ContactPhone, out var phone);
        return m with
        {
            Name = r.Name!.Trim(),
            LicenceNumber = r.LicenceNumber!.Trim().ToUpperInvariant(),
            ContactName = r.ContactName!.Trim(),
            ContactPhone = phone,
            CityId = r.CityId!.Trim(),
            Address = r.Address!.Trim(),
            Location = r.Location!,
            LicenceUploadId = r.LicenceUploadId!,
        };
    }
}
