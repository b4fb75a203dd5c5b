using System.Net;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Uploads;

public enum UploadStatus { Pending, Confirmed }

/// <summary>An upload, in its owner's partition of `profiles`: another user's upload id is simply not found there.</summary>
public sealed record UploadDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = "upload";
    public required string Kind { get; init; }
    public required string ContentType { get; init; }
    public required long SizeBytes { get; init; }
    public required string BlobName { get; init; }
    public required UploadStatus Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the upload SAS expires; an upload not confirmed by then never will be.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record CreateUploadRequest(string? Kind, string? ContentType, long? SizeBytes);

public sealed record UploadTicket(string UploadId, string BlobName, Uri UploadUrl, DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string> RequiredHeaders);

public sealed record ReadUrl(Uri Url, DateTimeOffset ExpiresAt);

public sealed record UploadView(
    string UploadId, string Kind, string ContentType, long SizeBytes, UploadStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? ConfirmedAt, Uri? ReadUrl, DateTimeOffset? ReadUrlExpiresAt);

/// <summary>
/// Uploads straight to Blob storage (ARCHITECTURE D5): the app hands out a create-only SAS for one blob,
/// the client PUTs the bytes, and confirm checks what actually arrived before anything may link to it.
/// </summary>
public sealed class UploadStore(CosmosDb db, StorageClients storage, TimeProvider time, ILogger<UploadStore> logger)
{
    public static readonly TimeSpan UploadLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan ReadLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A pending upload whose SAS expired this long ago is abandoned (confirm refuses it from expiry on).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>Most abandoned uploads purged by one timer run; the next run takes the rest.</summary>
    public const int PurgeBatch = 500;

    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private UserDelegationKey? _delegationKey;

    public async Task<UploadTicket> CreateAsync(string userId, CreateUploadRequest request, CancellationToken ct)
    {
        var v = new Validator();
        if (!UploadKinds.IsKnown(request.Kind))
        {
            v.Add("kind", "invalid_upload_kind", string.Join(", ", UploadKinds.All));
        }
        else if (!UploadKinds.Allows(request.Kind!, request.ContentType))
        {
            v.Add("contentType", "content_type_not_allowed");
        }

        if (request.SizeBytes is null)
        {
            v.Add("sizeBytes", "required");
        }
        else if (v.IsValid)
        {
            v.Range("sizeBytes", request.SizeBytes.Value, UploadKinds.MagicLength, UploadKinds.LimitFor(request.ContentType!));
        }

        v.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var id = $"upl_{Guid.NewGuid():N}";
        var document = new UploadDocument
        {
            Id = id,
            UserId = userId,
            Kind = request.Kind!,
            ContentType = request.ContentType!,
            SizeBytes = request.SizeBytes!.Value,
            BlobName = $"{userId}/{request.Kind}/{id}",
            Status = UploadStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + UploadLifetime,
        };
        await db.Profiles.CreateItemAsync(document, new PartitionKey(userId), cancellationToken: ct);

        // Create only: a blob can be written once, so a confirmed file cannot be swapped afterwards through the same SAS.
        var url = await SasAsync(document.BlobName, BlobSasPermissions.Create, document.ExpiresAt, ct);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-ms-blob-type"] = "BlockBlob",
            ["x-ms-blob-content-type"] = document.ContentType,
        };
        logger.LogInformation("Upload {UploadId} ({Kind}) issued to user {UserId}", id, document.Kind, userId);
        return new UploadTicket(id, document.BlobName, url, document.ExpiresAt, headers);
    }

    /// <summary>Checks the blob that arrived (size, type, magic number, then the whole content: <see cref="UploadContent"/>); a bad blob is deleted. Repeating a confirm is harmless.</summary>
    public async Task<UploadView> ConfirmAsync(string userId, string uploadId, CancellationToken ct)
    {
        var upload = await FindAsync(userId, uploadId, ct) ?? throw new NotFoundException("res.upload", uploadId);
        if (upload.Status == UploadStatus.Confirmed)
        {
            return View(upload, null);
        }

        var blob = Blob(upload.BlobName);
        if (time.GetUtcNow() > upload.ExpiresAt)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: ct);
            throw new ConflictException("upload_expired");
        }

        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            throw ValidationFailedException.For("file", "upload_missing");
        }

        var error = properties.ContentLength > UploadKinds.LimitFor(upload.ContentType) ? new FieldError("sizeBytes", "upload_too_large", UploadKinds.LimitFor(upload.ContentType))
            : properties.ContentLength != upload.SizeBytes ? new FieldError("sizeBytes", "upload_size_mismatch", upload.SizeBytes, properties.ContentLength)
            : !string.Equals(properties.ContentType, upload.ContentType, StringComparison.OrdinalIgnoreCase) ? new FieldError("contentType", "upload_type_mismatch", upload.ContentType)
            : await ContentProblemAsync(blob, upload.ContentType, ct);
        if (error is not null)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: ct);
            logger.LogWarning("Upload {UploadId} refused ({Code}); blob deleted", upload.Id, error.Code);
            throw new ValidationFailedException([error]);
        }

        var confirmed = upload with { Status = UploadStatus.Confirmed, ConfirmedAt = time.GetUtcNow() };
        try
        {
            upload = (await db.Profiles.ReplaceItemAsync(confirmed, upload.Id, new PartitionKey(userId), new ItemRequestOptions { IfMatchEtag = upload.ETag }, ct)).Resource;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // A concurrent confirm of the same upload won; it checked the same blob.
            upload = await FindAsync(userId, uploadId, ct) ?? throw new NotFoundException("res.upload", uploadId);
        }

        logger.LogInformation("Upload {UploadId} confirmed for user {UserId}", upload.Id, userId);
        return View(upload, null);
    }

    /// <summary>
    /// Deletes uploads that were issued but never confirmed: the blob first, then the record (If-Match), so a
    /// run that dies in between leaves the record for the next run and never an unreferenced blob. Confirm
    /// refuses an upload from its expiry on and this waits <see cref="AbandonedAfter"/> beyond it, so the two
    /// never race. Safe to run twice or concurrently: a missing blob or record is already purged.
    /// </summary>
    public async Task<int> PurgeAbandonedAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - AbandonedAfter;
        var query = new QueryDefinition(
                $"SELECT TOP {PurgeBatch} * FROM c WHERE c.type = 'upload' AND c.status = 'pending' AND c.expiresAt < @cutoff")
            .WithParameter("@cutoff", cutoff);
        var abandoned = await db.Profiles.QueryAllAsync<UploadDocument>(query, partitionKey: null, ct);
        var purged = 0;
        foreach (var upload in abandoned)
        {
            await Blob(upload.BlobName).DeleteIfExistsAsync(cancellationToken: ct);
            try
            {
                await db.Profiles.DeleteItemAsync<UploadDocument>(upload.Id, new PartitionKey(upload.UserId), new ItemRequestOptions { IfMatchEtag = upload.ETag }, ct);
                purged++;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
            {
                // Another run purged it first.
            }
        }

        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} abandoned uploads that expired before {Cutoff}", purged, cutoff);
        }

        return purged;
    }

    /// <summary>The owner's view; a confirmed upload comes with a short-lived read URL.</summary>
    public async Task<UploadView> GetAsync(string userId, string uploadId, CancellationToken ct)
    {
        var upload = await FindAsync(userId, uploadId, ct) ?? throw new NotFoundException("res.upload", uploadId);
        return View(upload, upload.Status == UploadStatus.Confirmed ? await ReadUrlAsync(upload, ct) : null);
    }

    public async Task<UploadDocument?> FindAsync(string userId, string uploadId, CancellationToken ct)
    {
        // The partition also holds addresses and favorites; only upload ids are uploads.
        if (!uploadId.StartsWith("upl_", StringComparison.Ordinal))
        {
            return null;
        }

        var found = (await db.Profiles.ReadOrNullAsync<UploadDocument>(uploadId, userId, ct))?.Resource;
        return found?.Type == "upload" ? found : null;
    }

    /// <summary>A read URL for a confirmed upload of <paramref name="ownerId"/>, for callers that already checked the reader may see it.</summary>
    public async Task<ReadUrl?> ReadUrlForAsync(string ownerId, string? uploadId, CancellationToken ct)
    {
        if (uploadId is null)
        {
            return null;
        }

        var upload = await FindAsync(ownerId, uploadId, ct);
        return upload?.Status == UploadStatus.Confirmed ? await ReadUrlAsync(upload, ct) : null;
    }

    private async Task<ReadUrl> ReadUrlAsync(UploadDocument upload, CancellationToken ct)
    {
        var expires = time.GetUtcNow() + ReadLifetime;
        return new ReadUrl(await SasAsync(upload.BlobName, BlobSasPermissions.Read, expires, ct), expires);
    }

    private static UploadView View(UploadDocument u, ReadUrl? read) =>
        new(u.Id, u.Kind, u.ContentType, u.SizeBytes, u.Status, u.CreatedAt, u.ExpiresAt, u.ConfirmedAt, read?.Url, read?.ExpiresAt);

    private BlobClient Blob(string blobName) => storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).GetBlobClient(blobName);

    /// <summary>One download of the (size-checked) blob: its magic number, then the whole content (<see cref="UploadContent"/>).</summary>
    private static async Task<FieldError?> ContentProblemAsync(BlobClient blob, string contentType, CancellationToken ct)
    {
        var file = (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
        if (!UploadKinds.MagicMatches(contentType, file))
        {
            return new FieldError("file", "upload_content_mismatch", contentType);
        }

        return UploadContent.ProblemOf(contentType, file) is { } problem ? new FieldError("file", problem, contentType) : null;
    }

    /// <summary>
    /// A SAS for exactly one blob. With a shared key (Azurite) the account key signs it; with managed
    /// identity (Azure) a user-delegation key does, and the SAS is HTTPS-only.
    /// </summary>
    private async Task<Uri> SasAsync(string blobName, BlobSasPermissions permissions, DateTimeOffset expiresOn, CancellationToken ct)
    {
        var blob = Blob(blobName);
        var builder = new BlobSasBuilder
        {
            BlobContainerName = storage.UploadsContainer,
            BlobName = blobName,
            Resource = "b",
            ExpiresOn = expiresOn,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        builder.SetPermissions(permissions);
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(builder);
        }

        var key = await DelegationKeyAsync(ct);
        var sas = builder.ToSasQueryParameters(key, storage.Blobs.AccountName);
        return new BlobUriBuilder(blob.Uri) { Sas = sas }.ToUri();
    }

    /// <summary>User-delegation keys are valid for hours; one is reused until it is close to expiring.</summary>
    private async Task<UserDelegationKey> DelegationKeyAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_delegationKey is { } cached && cached.SignedExpiresOn > now + UploadLifetime + TimeSpan.FromMinutes(5))
        {
            return cached;
        }

        await _keyLock.WaitAsync(ct);
        try
        {
            if (_delegationKey is { } again && again.SignedExpiresOn > now + UploadLifetime + TimeSpan.FromMinutes(5))
            {
                return again;
            }

            _delegationKey = (await storage.Blobs.GetUserDelegationKeyAsync(now.AddMinutes(-5), now.AddHours(2), ct)).Value;
            return _delegationKey;
        }
        finally
        {
            _keyLock.Release();
        }
    }
}
