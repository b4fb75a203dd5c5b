using HomeService.Domain.Dispatch;
using System.Text.Json.Serialization;
using HomeService.Domain.Common;

namespace HomeService.Functions.Workers;

/// <summary>Onboarding audit states (审核) shared by workers and merchants.</summary>
public enum AuditStatus { Registered, Submitted, Approved, Rejected, Suspended, Banned }

public sealed record GeoLocation(double Latitude, double Longitude)
{
    public GeoPoint ToPoint() => new(Latitude, Longitude);
}

/// <summary>A skill: a service item the worker offers, optionally at their own price.</summary>
public sealed record WorkerSkill(string ItemId, long? OwnPriceFen);

/// <summary>
/// A change of an approved worker's audited profile (city, skills with prices, skill certificate) waiting for re-audit:
/// the live profile keeps the audited values until an admin approves it.
/// </summary>
public sealed record WorkerPendingChange(
    string CityId, IReadOnlyList<WorkerSkill> Skills, string? SkillCertificate, IReadOnlyList<HomeService.Domain.Workers.ReauditReason> Reasons,
    DateTimeOffset RequestedAt)
{
    /// <summary>Keyset key of the re-audit queue.</summary>
    public string RequestedKey { get; init; } = Infrastructure.Cosmos.CosmosExtensions.TimeSortKey(RequestedAt, "");
}

/// <summary>How an admin decided the last re-audit: approved, or rejected with a reason; and what it was about.</summary>
public sealed record WorkerChangeDecision(string Decision, string? Reason, string AdminId, DateTimeOffset At, WorkerPendingChange Change);

public sealed record RatingSummary(double Average, int Count)
{
    public static readonly RatingSummary None = new(0, 0);
}

/// <summary>Certificates and photos, as confirmed upload ids (blob names live on the upload records).</summary>
public sealed record WorkerDocuments(
    string? IdCardFront = null, string? IdCardBack = null, string? SkillCertificate = null, string? HealthCertificate = null,
    string? Avatar = null, IReadOnlyList<string>? LifePhotos = null);

/// <summary>
/// A worker (师傅), in the `workers` container (partition key /id; id = the worker's user id).
/// The ID number is never stored in clear: a masked form for display and a keyed hash for uniqueness.
/// </summary>
public sealed record WorkerDocument
{
    public required string Id { get; init; }
    public string Type { get; init; } = "worker";
    public required AuditStatus Status { get; init; }
    public required string RealName { get; init; }
    public required string IdNumberMasked { get; init; }
    public required string IdNumberHash { get; init; }
    public string? Gender { get; init; }
    public int? BirthYear { get; init; }
    public required string CityId { get; init; }
    public IReadOnlyList<WorkerSkill> Skills { get; init; } = [];
    /// <summary>Denormalised from <see cref="Skills"/> so candidate queries can use ARRAY_CONTAINS.</summary>
    public IReadOnlyList<string> SkillItemIds { get; init; } = [];
    public int YearsOfExperience { get; init; }
    public string? Intro { get; init; }
    public double ServiceRadiusKm { get; init; }
    public GeoLocation? HomeBase { get; init; }

    /// <summary>
    /// Geohash cells the service circle (home base + radius) touches: the spatial prefilter of candidate queries.
    /// Derived, never set: every write of the document stores the cells of the values it writes, whichever path
    /// (profile update, admin approval, a re-audited change) made them. Internal; never served.
    /// </summary>
    public IReadOnlyList<string> GeoCells => HomeBase is null ? [] : HomeService.Domain.Common.GeoCells.Cover(HomeBase.ToPoint(), ServiceRadiusKm);

    /// <summary>The home base's geohash at the inner-ring precision: nearest-first candidate reads ask for a 3 × 3 block of these first. Derived, internal.</summary>
    public string? HomeCell6 => HomeBase is null ? null : HomeService.Domain.Common.GeoCells.Encode(HomeBase.ToPoint(), HomeService.Domain.Common.GeoCells.InnerRingPrecision);

    /// <summary>The home base's geohash at the outer-ring precision (the second ring of a nearest-first read). Derived, internal.</summary>
    public string? HomeCell5 => HomeBase is null ? null : HomeService.Domain.Common.GeoCells.Encode(HomeBase.ToPoint(), HomeService.Domain.Common.GeoCells.OuterRingPrecision);
    public bool Accepting { get; init; }
    public RatingSummary Rating { get; init; } = RatingSummary.None;
    /// <summary>Recent offer outcomes (accepted / rejected / expired): the acceptance-rate term of auto-assign.</summary>
    public OfferHistory Offers { get; init; } = OfferHistory.Empty;
    public string? MerchantId { get; init; }
    public WorkerDocuments Documents { get; init; } = new();
    public string? RejectionReason { get; init; }
    public WorkerPendingChange? PendingChange { get; init; }
    public WorkerChangeDecision? LastChangeDecision { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    /// <summary>
    /// Keyset paging key of the admin audit queue: <c>TimeSortKey(SubmittedAt ?? CreatedAt, Id)</c>, derived and written with
    /// every document, so a worker approved without an application (seeded, imported) is listed too.
    /// </summary>
    public string SubmittedKey => Infrastructure.Cosmos.CosmosExtensions.TimeSortKey(SubmittedAt ?? CreatedAt, Id);
    public DateTimeOffset? ReviewedAt { get; init; }
    public string? ReviewedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    /// <summary>Only approved workers who switched accepting on can be offered or booked.</summary>
    [JsonIgnore]
    public bool IsBookable => Status == AuditStatus.Approved && Accepting;
}
