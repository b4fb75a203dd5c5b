using HomeService.Domain.Dispatch;
using System.Net;
using System.Text.Json;
using HomeService.Domain.Workers;
using HomeService.Functions.Auth;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Uploads;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Workers;

public sealed record WorkerSkillRequest(string? ItemId, long? OwnPriceFen);

public sealed record WorkerDocumentsRequest(
    string? IdCardFront, string? IdCardBack, string? SkillCertificate, string? HealthCertificate, string? Avatar, IReadOnlyList<string>? LifePhotos);

/// <summary>The whole editable profile; <see cref="IdNumber"/> null keeps the stored one (it is never served back in full).</summary>
public sealed record WorkerProfileRequest(
    string? RealName, string? IdNumber, string? Gender, int? BirthYear, string? CityId, IReadOnlyList<WorkerSkillRequest>? Skills,
    int? YearsOfExperience, string? Intro, double? ServiceRadiusKm, GeoLocation? HomeBase, WorkerDocumentsRequest? Documents);

public sealed record WorkerProfileView(
    string Id, AuditStatus Status, string? RejectionReason, string RealName, string? IdNumberMasked, string? Gender, int? BirthYear, string? CityId,
    IReadOnlyList<WorkerSkill> Skills, int YearsOfExperience, string? Intro, double ServiceRadiusKm, GeoLocation? HomeBase, bool Accepting,
    RatingSummary Rating, string? MerchantId, WorkerDocuments Documents, DateTimeOffset? SubmittedAt, DateTimeOffset? ReviewedAt,
    DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, WorkerPendingChange? PendingChange = null, WorkerChangeDecision? LastChangeDecision = null)
{
    public static WorkerProfileView Of(WorkerDocument w) => new(
        w.Id, w.Status, w.RejectionReason, w.RealName, w.IdNumberMasked.Length == 0 ? null : w.IdNumberMasked, w.Gender, w.BirthYear,
        w.CityId.Length == 0 ? null : w.CityId, w.Skills, w.YearsOfExperience, w.Intro, w.ServiceRadiusKm, w.HomeBase, w.Accepting, w.Rating,
        w.MerchantId, w.Documents, w.SubmittedAt, w.ReviewedAt, w.CreatedAt, w.UpdatedAt, w.PendingChange, w.LastChangeDecision);
}

/// <summary>Claims an ID number for one worker: create-if-absent on the hash makes "one worker per ID" race-free.</summary>
internal sealed record IdNumberClaim(string Id, string WorkerId, DateTimeOffset CreatedAt)
{
    public string Type { get; init; } = "id-claim";

    public static string IdFor(string hash) => $"idnumber:{hash}";
}

/// <summary>
/// Workers in the `workers` container (id = partition key = user id). Every change is a read +
/// ETag-conditional replace: on the client's If-Match for profile edits, and re-read and re-decided
/// internally for audit and staff changes.
/// </summary>
public sealed class WorkerStore(
    CosmosDb db, UserAccounts users, UploadStore uploads, IdNumberProtector idNumbers, TimeProvider time, ILogger<WorkerStore> logger)
{
    public const int MaxSkills = 20;
    public const int MaxLifePhotos = 9;
    private static readonly string[] Genders = ["male", "female"];

    public async Task<WorkerDocument?> FindAsync(string workerId, CancellationToken ct)
    {
        var found = (await db.Workers.ReadOrNullAsync<WorkerDocument>(workerId, workerId, ct))?.Resource;
        return found?.Type == "worker" ? found : null;
    }

    public async Task<WorkerDocument> GetAsync(string workerId, CancellationToken ct) =>
        await FindAsync(workerId, ct) ?? throw new NotFoundException("res.worker", workerId);

    /// <summary>Creates the worker in Registered and grants the role; once per user (409 on a second call).</summary>
    public async Task<WorkerDocument> RegisterAsync(string userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var worker = new WorkerDocument
        {
            Id = userId,
            Status = AuditStatus.Registered,
            RealName = "",
            IdNumberMasked = "",
            IdNumberHash = "",
            CityId = "",
            CreatedAt = now,
        };
        try
        {
            worker = (await db.Workers.CreateItemAsync(worker, new PartitionKey(userId), cancellationToken: ct)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The role may be missing if the first call died between the two writes; granting again is a no-op otherwise.
            await users.GrantRoleAsync(userId, Roles.Worker, ct);
            throw new ConflictException("already_exists", "res.worker");
        }

        await users.GrantRoleAsync(userId, Roles.Worker, ct);
        logger.LogInformation("Worker {WorkerId} registered", userId);
        return worker;
    }

    public async Task<WorkerDocument> UpdateProfileAsync(string workerId, string ifMatch, WorkerProfileRequest request, CancellationToken ct)
    {
        var current = await GetAsync(workerId, ct);
        if (current.Status is AuditStatus.Submitted or AuditStatus.Banned)
        {
            // Under review, the admin decides on what they see; banned is final.
            throw Audit.WrongState(current.Status, "editProfile");
        }

        var v = new Validator()
            .Optional("realName", request.RealName?.Trim(), 32)
            .Check(request.Gender is null || Genders.Contains(request.Gender), "gender", "invalid")
            .Range("yearsOfExperience", request.YearsOfExperience ?? 0, 0, 60)
            .Optional("intro", request.Intro, 500)
            .Optional("cityId", request.CityId, 64);
        string? idNumber = null;
        if (request.IdNumber is not null && !ResidentIdNumber.TryNormalize(request.IdNumber, out idNumber))
        {
            v.Add("idNumber", "invalid_id_number");
            idNumber = null;
        }

        var birthYear = request.BirthYear ?? (idNumber is null ? current.BirthYear : ResidentIdNumber.BirthYearOf(idNumber));
        if (birthYear is not null)
        {
            var year = time.GetUtcNow().Year;
            v.Range("birthYear", birthYear.Value, year - 70, year - 18);
        }

        if (request.ServiceRadiusKm is not null)
        {
            v.Range("serviceRadiusKm", request.ServiceRadiusKm.Value, 1, 50);
        }

        if (request.HomeBase is not null)
        {
            v.Location("homeBase.", request.HomeBase.Latitude, request.HomeBase.Longitude);
        }

        var hash = idNumber is null ? current.IdNumberHash : idNumbers.Hash(idNumber);
        var realName = request.RealName?.Trim() ?? "";
        if (current.Status is AuditStatus.Approved or AuditStatus.Suspended)
        {
            // An approved identity is what the admin checked against the ID card; changing it needs a new application.
            v.Check(realName == current.RealName, "realName", "identity_locked");
            v.Check(hash == current.IdNumberHash, "idNumber", "identity_locked");
        }

        var cityId = string.IsNullOrWhiteSpace(request.CityId) ? null : request.CityId.Trim();
        var catalogPrices = new Dictionary<string, long>(StringComparer.Ordinal);
        var skills = await ValidateSkillsAsync(v, cityId, request.Skills ?? [], catalogPrices, ct);
        var documents = await ValidateDocumentsAsync(v, workerId, request.Documents, ct);
        v.ThrowIfInvalid();

        // An approved (or suspended) worker's city, new skills, skill certificate or out-of-range prices wait for a
        // re-audit; the rest applies now. A request that leaves those as they are keeps a change already waiting.
        var audited = new AuditedProfile(cityId ?? "", [.. skills.Select(s => new SkillClaim(s.ItemId, s.OwnPriceFen))], documents.SkillCertificate);
        var reasons = current.Status is AuditStatus.Approved or AuditStatus.Suspended
            ? ProfileChanges.ReasonsToAudit(AuditedOf(current), audited, id => catalogPrices.GetValueOrDefault(id))
            : [];
        var pending = reasons.Count > 0
            ? new WorkerPendingChange(audited.CityId, skills, documents.SkillCertificate, reasons, time.GetUtcNow())
            : current.Status is AuditStatus.Approved or AuditStatus.Suspended ? current.PendingChange : null;
        if (reasons.Count > 0)
        {
            cityId = current.CityId.Length == 0 ? null : current.CityId;
            skills = current.Skills;
            documents = documents with { SkillCertificate = current.Documents.SkillCertificate };
        }

        var claimed = idNumber is not null && hash != current.IdNumberHash && await ClaimAsync(hash, workerId, ct);
        var next = current with
        {
            RealName = realName,
            IdNumberMasked = idNumber is null ? current.IdNumberMasked : ResidentIdNumber.Mask(idNumber),
            IdNumberHash = hash,
            Gender = request.Gender,
            BirthYear = birthYear,
            CityId = cityId ?? "",
            Skills = skills,
            SkillItemIds = skills.Select(s => s.ItemId).ToArray(),
            YearsOfExperience = request.YearsOfExperience ?? 0,
            Intro = request.Intro?.Trim(),
            ServiceRadiusKm = request.ServiceRadiusKm ?? 0,
            HomeBase = request.HomeBase,
            Documents = documents,
            PendingChange = pending,
            UpdatedAt = time.GetUtcNow(),
        };
        WorkerDocument updated;
        try
        {
            updated = await ReplaceAsync(next, ifMatch, ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed && claimed)
        {
            await ReleaseAsync(hash, workerId, ct);
            throw;
        }

        if (claimed && current.IdNumberHash.Length > 0)
        {
            await ReleaseAsync(current.IdNumberHash, workerId, ct);
        }

        return updated;
    }

    /// <summary>Registered or Rejected → Submitted, once everything the audit needs is there (400 naming each missing field).</summary>
    public async Task<WorkerDocument> SubmitAsync(string workerId, CancellationToken ct)
    {
        var worker = await GetAsync(workerId, ct);
        var v = new Validator()
            .Check(worker.RealName.Length > 0, "realName", "required")
            .Check(worker.IdNumberHash.Length > 0, "idNumber", "required")
            .Check(worker.CityId.Length > 0, "cityId", "required")
            .Check(worker.Skills.Count > 0, "skills", "required")
            .Check(worker.HomeBase is not null, "homeBase", "required")
            .Check(worker.ServiceRadiusKm > 0, "serviceRadiusKm", "required")
            .Check(worker.Documents.IdCardFront is not null, "documents.idCardFront", "required")
            .Check(worker.Documents.IdCardBack is not null, "documents.idCardBack", "required")
            .Check(worker.Documents.HealthCertificate is not null, "documents.healthCertificate", "required");
        v.ThrowIfInvalid();
        return await DecideAsync(workerId, _ => new Submit(time.GetUtcNow()), ct);
    }

    /// <summary>Applies an audit command: read, decide, ETag-conditional replace; on 412 read again and decide again.</summary>
    public async Task<WorkerDocument> DecideAsync(string workerId, Func<WorkerDocument, AuditCommand> command, CancellationToken ct)
    {
        while (true)
        {
            var worker = await GetAsync(workerId, ct);
            var decision = AuditTransitions.Decide(command(worker), Record(worker));
            Audit.ThrowIfError(decision);
            if (decision.IsNoOp)
            {
                return worker;
            }

            var next = decision.Next!;
            var updated = worker with
            {
                Status = next.Status.FromDomain(),
                RejectionReason = next.Reason,
                SubmittedAt = next.SubmittedAt,
                ReviewedAt = next.ReviewedAt,
                ReviewedBy = next.ReviewedBy,
                // Suspension or a ban stops offers at once; after reinstatement the worker switches accepting on again.
                Accepting = worker.Accepting && next.Status == AuditState.Approved,
                UpdatedAt = time.GetUtcNow(),
            };
            try
            {
                updated = await ReplaceAsync(updated, worker.ETag!, ct);
                logger.LogInformation("Worker {WorkerId} audit {From} -> {To}", workerId, worker.Status, updated.Status);
                return updated;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Someone changed the worker meanwhile (another admin, the worker): decide again on what is there now.
            }
        }
    }

    public async Task<WorkerDocument> SetAcceptingAsync(string workerId, bool accepting, CancellationToken ct) =>
        await ChangeAsync(workerId, w =>
        {
            if (accepting && w.Status != AuditStatus.Approved)
            {
                throw Audit.WrongState(w.Status, "startAccepting");
            }

            return w.Accepting == accepting ? null : w with { Accepting = accepting };
        }, ct);

    /// <summary>
    /// Records how an offer ended. Idempotent: the history is keyed by (order, round), so a re-delivered
    /// event finds it recorded and writes nothing. A worker who no longer exists is skipped.
    /// </summary>
    public async Task RecordOfferAsync(string workerId, OfferRecord record, CancellationToken ct)
    {
        if (await FindAsync(workerId, ct) is null)
        {
            logger.LogWarning("Offer outcome of order {OrderId} for unknown worker {WorkerId} skipped", record.OrderId, workerId);
            return;
        }

        await ChangeAsync(workerId, w => w.Offers.With(record) is { } next ? w with { Offers = next } : null, ct, touch: false);
    }

    /// <summary>
    /// Sets the rating summary to what <paramref name="compute"/> finds. The worker is read before computing and written
    /// If-Match on that read, so a summary computed before another review landed can never be the last one written.
    /// </summary>
    public async Task SetRatingAsync(string workerId, Func<CancellationToken, Task<RatingSummary>> compute, CancellationToken ct)
    {
        while (true)
        {
            if (await FindAsync(workerId, ct) is not { } worker)
            {
                return;
            }

            var rating = await compute(ct);
            if (worker.Rating == rating)
            {
                return;
            }

            try
            {
                await ReplaceAsync(worker with { Rating = rating }, worker.ETag!, ct);
                return;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile (perhaps by another review's recount): read and count again.
            }
        }
    }

    /// <summary>
    /// Read-modify-write with internal retry on 412; <paramref name="change"/> returns null when nothing changes.
    /// <paramref name="touch"/> stamps UpdatedAt (profile and status changes; not the dispatch statistics).
    /// </summary>
    public async Task<WorkerDocument> ChangeAsync(string workerId, Func<WorkerDocument, WorkerDocument?> change, CancellationToken ct, bool touch = true)
    {
        while (true)
        {
            var worker = await GetAsync(workerId, ct);
            var next = change(worker);
            if (next is null)
            {
                return worker;
            }

            try
            {
                return await ReplaceAsync(touch ? next with { UpdatedAt = time.GetUtcNow() } : next, worker.ETag!, ct);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Lost a race: apply the change again on the current document.
            }
        }
    }

    /// <summary>The audit queue: workers in one status, oldest submission first (keyset paging).</summary>
    public Task<Page<WorkerDocument>> ListByStatusAsync(AuditStatus status, string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Workers.KeysetPageAsync<WorkerDocument>(null, "c.type = 'worker' AND c.status = @s", new Dictionary<string, object?> { ["@s"] = Audit.Wire(status) },
            "submittedKey", descending: false, w => w.SubmittedKey, ContinuationTokens.Fingerprint("admin-workers", Audit.Wire(status)),
            continuationToken, pageSize, ct);

    public Task<List<WorkerDocument>> ListStaffAsync(string merchantId, CancellationToken ct) =>
        db.Workers.QueryAllByKeyAsync<WorkerDocument>("*", "c.type = 'worker' AND c.merchantId = @m", new Dictionary<string, object> { ["@m"] = merchantId }, "id", w => w.Id, ct);

    private static AuditRecord Record(WorkerDocument w) =>
        new(w.Status.ToDomain(), w.RejectionReason, w.SubmittedAt, w.ReviewedAt, w.ReviewedBy);

    private async Task<WorkerDocument> ReplaceAsync(WorkerDocument next, string ifMatch, CancellationToken ct) =>
        (await db.Workers.ReplaceItemAsync(next, next.Id, new PartitionKey(next.Id), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct)).Resource;

    /// <summary>True when this call created the claim; false when the worker already held it; 409 when another worker does.</summary>
    private async Task<bool> ClaimAsync(string hash, string workerId, CancellationToken ct)
    {
        var claim = new IdNumberClaim(IdNumberClaim.IdFor(hash), workerId, time.GetUtcNow());
        try
        {
            await db.Workers.CreateItemAsync(claim, new PartitionKey(claim.Id), cancellationToken: ct);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var holder = (await db.Workers.ReadOrNullAsync<IdNumberClaim>(claim.Id, claim.Id, ct))?.Resource;
            if (holder?.WorkerId == workerId)
            {
                return false;
            }

            throw new ConflictException("id_number_in_use");
        }
    }

    private async Task ReleaseAsync(string hash, string workerId, CancellationToken ct)
    {
        var id = IdNumberClaim.IdFor(hash);
        var holder = (await db.Workers.ReadOrNullAsync<IdNumberClaim>(id, id, ct))?.Resource;
        if (holder?.WorkerId == workerId)
        {
            await db.Workers.DeleteItemAsync<IdNumberClaim>(id, new PartitionKey(id), cancellationToken: ct);
        }
    }

    private static AuditedProfile AuditedOf(WorkerDocument w) =>
        new(w.CityId, [.. w.Skills.Select(s => new SkillClaim(s.ItemId, s.OwnPriceFen))], w.Documents.SkillCertificate);

    /// <summary>
    /// Applies the re-audit an admin decided (<paramref name="approve"/>: the waiting city, skills and certificate become the
    /// profile; else they are dropped, with the reason kept for the worker). 409 when nothing waits.
    /// </summary>
    public async Task<WorkerDocument> DecidePendingChangeAsync(string workerId, string adminId, bool approve, string? reason, CancellationToken ct)
    {
        if (!approve)
        {
            new Validator().Required("reason", reason, 500).ThrowIfInvalid();
        }

        var worker = await ChangeAsync(workerId, w =>
        {
            if (w.PendingChange is not { } change)
            {
                throw new ConflictException("no_pending_change");
            }

            var decision = new WorkerChangeDecision(approve ? "approved" : "rejected", approve ? null : reason!.Trim(), adminId, time.GetUtcNow(), change);
            return approve
                ? w with
                {
                    CityId = change.CityId, Skills = change.Skills, SkillItemIds = [.. change.Skills.Select(s => s.ItemId)],
                    Documents = w.Documents with { SkillCertificate = change.SkillCertificate ?? w.Documents.SkillCertificate },
                    PendingChange = null, LastChangeDecision = decision,
                }
                : w with { PendingChange = null, LastChangeDecision = decision };
        }, ct);
        logger.LogInformation("Worker {WorkerId} profile change {Decision} by {AdminId}", workerId, approve ? "approved" : "rejected", adminId);
        return worker;
    }

    /// <summary>The worker withdraws the change waiting for re-audit (nothing waiting: nothing changes).</summary>
    public Task<WorkerDocument> WithdrawPendingChangeAsync(string workerId, CancellationToken ct) =>
        ChangeAsync(workerId, w => w.PendingChange is null ? null : w with { PendingChange = null }, ct);

    /// <summary>Workers whose profile change waits for re-audit, oldest first.</summary>
    public Task<Page<WorkerDocument>> ListPendingChangesAsync(string? continuationToken, int pageSize, CancellationToken ct) =>
        db.Workers.KeysetPageAsync<WorkerDocument>(null, "c.type = 'worker' AND IS_DEFINED(c.pendingChange.requestedKey)",
            new Dictionary<string, object?>(), "pendingChange.requestedKey", descending: false, w => w.PendingChange!.RequestedKey,
            ContinuationTokens.Fingerprint("admin-worker-changes"), continuationToken, pageSize, ct);

    private async Task<IReadOnlyList<WorkerSkill>> ValidateSkillsAsync(
        Validator v, string? cityId, IReadOnlyList<WorkerSkillRequest> requested, Dictionary<string, long> catalogPrices, CancellationToken ct)
    {
        if (cityId is not null && await db.Catalog.ReadOrNullAsync<JsonElement>(cityId, CityDocument.Kind, ct) is null)
        {
            v.Add("cityId", "unknown_reference");
        }

        if (requested.Count > MaxSkills)
        {
            v.Add("skills", "too_many", MaxSkills);
            return [];
        }

        if (requested.Count > 0 && cityId is null)
        {
            v.Add("cityId", "required");
        }

        var skills = new List<WorkerSkill>();
        for (var i = 0; i < requested.Count; i++)
        {
            var (itemId, price) = requested[i];
            var field = $"skills[{i}]";
            if (string.IsNullOrWhiteSpace(itemId))
            {
                v.Add($"{field}.itemId", "required");
                continue;
            }

            if (skills.Any(s => s.ItemId == itemId))
            {
                v.Add($"{field}.itemId", "duplicate");
                continue;
            }

            if (price is not null)
            {
                v.Range($"{field}.ownPriceFen", price.Value, 1, 100_000_000);
            }

            var item = (await db.Catalog.ReadOrNullAsync<ItemDocument>(itemId, ItemDocument.Kind, ct))?.Resource;
            if (item is null || !item.Active)
            {
                v.Add($"{field}.itemId", "unknown_reference");
            }
            else if (cityId is not null && !item.CityIds.Contains(cityId))
            {
                v.Add($"{field}.itemId", "not_offered_in_city");
            }
            else
            {
                catalogPrices[itemId] = item.PriceFen;
            }

            skills.Add(new WorkerSkill(itemId, price));
        }

        return skills;
    }

    private async Task<WorkerDocuments> ValidateDocumentsAsync(Validator v, string workerId, WorkerDocumentsRequest? request, CancellationToken ct)
    {
        if (request is null)
        {
            return new WorkerDocuments();
        }

        async Task<string?> One(string field, string? uploadId, string kind)
        {
            if (uploadId is null)
            {
                return null;
            }

            var upload = await uploads.FindAsync(workerId, uploadId, ct);
            if (upload is null || upload.Status != UploadStatus.Confirmed)
            {
                v.Add(field, "upload_not_confirmed");
            }
            else if (upload.Kind != kind)
            {
                v.Add(field, "upload_wrong_kind", kind);
            }

            return uploadId;
        }

        var lifePhotos = new List<string>();
        if (request.LifePhotos is { Count: > MaxLifePhotos })
        {
            v.Add("documents.lifePhotos", "too_many", MaxLifePhotos);
        }
        else
        {
            for (var i = 0; i < (request.LifePhotos?.Count ?? 0); i++)
            {
                lifePhotos.Add((await One($"documents.lifePhotos[{i}]", request.LifePhotos![i], UploadKinds.LifePhoto))!);
            }
        }

        return new WorkerDocuments(
            await One("documents.idCardFront", request.IdCardFront, UploadKinds.IdCardFront),
            await One("documents.idCardBack", request.IdCardBack, UploadKinds.IdCardBack),
            await One("documents.skillCertificate", request.SkillCertificate, UploadKinds.SkillCertificate),
            await One("documents.healthCertificate", request.HealthCertificate, UploadKinds.HealthCertificate),
            await One("documents.avatar", request.Avatar, UploadKinds.Avatar),
            lifePhotos);
    }
}

/// <summary>The public card: what a customer may see of an approved worker — never ID, documents or phone.</summary>
/// <param name="VerifiedCertificates">Certificate kinds the audit checked (<c>skill</c>, <c>health</c>), never the files.</param>
/// <param name="RecentReviews">The newest reviews (see GET /api/workers/{id}/reviews for all).</param>
public sealed record WorkerCard(
    string Id, string DisplayName, string? Gender, int YearsOfExperience, string? Intro, IReadOnlyList<WorkerSkill> Skills, RatingSummary Rating,
    Uri? AvatarUrl, IReadOnlyList<string>? VerifiedCertificates = null, Reviews.RatingBreakdown? RatingBreakdown = null,
    IReadOnlyList<Reviews.ReviewView>? RecentReviews = null)
{
    private static readonly string[] CompoundSurnames = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "尉迟", "长孙", "令狐", "公孙", "夏侯", "宇文", "司徒"];

    /// <summary>"王小明" → "王师傅", "欧阳娜娜" → "欧阳师傅".</summary>
    public static string DisplayNameOf(string realName)
    {
        var name = realName.Trim();
        if (name.Length == 0)
        {
            return "师傅";
        }

        var surname = CompoundSurnames.FirstOrDefault(s => name.Length > s.Length && name.StartsWith(s, StringComparison.Ordinal)) ?? name[..1];
        return $"{surname}师傅";
    }
}
