namespace HomeService.Functions.Uploads;

/// <summary>What may be uploaded: per kind, the content types allowed and the size limit.</summary>
public static class UploadKinds
{
    public const string Avatar = "avatar";
    public const string IdCardFront = "id-card-front";
    public const string IdCardBack = "id-card-back";
    public const string SkillCertificate = "skill-certificate";
    public const string HealthCertificate = "health-certificate";
    public const string LifePhoto = "life-photo";
    public const string CompletionPhoto = "completion-photo";
    public const string ReviewPhoto = "review-photo";
    public const string BusinessLicence = "business-licence";

    public const long ImageLimitBytes = 5 * 1024 * 1024;
    public const long PdfLimitBytes = 10 * 1024 * 1024;

    private static readonly string[] Images = ["image/jpeg", "image/png", "image/webp"];
    private static readonly string[] ImagesAndPdf = [.. Images, "application/pdf"];

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Avatar] = Images,
        [IdCardFront] = Images,
        [IdCardBack] = Images,
        [SkillCertificate] = ImagesAndPdf,
        [HealthCertificate] = ImagesAndPdf,
        [LifePhoto] = Images,
        [CompletionPhoto] = Images,
        [ReviewPhoto] = Images,
        [BusinessLicence] = ImagesAndPdf,
    };

    public static IReadOnlyCollection<string> All => Allowed.Keys;

    public static bool IsKnown(string? kind) => kind is not null && Allowed.ContainsKey(kind);

    public static bool Allows(string kind, string? contentType) => contentType is not null && Allowed[kind].Contains(contentType);

    public static long LimitFor(string contentType) => contentType == "application/pdf" ? PdfLimitBytes : ImageLimitBytes;

    /// <summary>Does the start of the file carry the magic number of its declared type?</summary>
    public static bool MagicMatches(string contentType, ReadOnlySpan<byte> head) => contentType switch
    {
        "image/jpeg" => head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        "image/png" => head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/webp" => head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8),
        "application/pdf" => head.StartsWith("%PDF"u8),
        _ => false,
    };

    public const int MagicLength = 12;
}
