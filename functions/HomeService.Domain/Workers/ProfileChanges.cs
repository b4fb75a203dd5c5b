namespace HomeService.Domain.Workers;

/// <summary>A skill as the audit sees it: the item and the worker's own price, if any.</summary>
public sealed record SkillClaim(string ItemId, long? OwnPriceFen);

/// <summary>What of a worker's profile an auditor vouched for: the city, the skills with their prices, the skill certificate.</summary>
public sealed record AuditedProfile(string CityId, IReadOnlyList<SkillClaim> Skills, string? SkillCertificate);

/// <summary>Why a change of an approved worker's profile waits for an audit.</summary>
public enum ReauditReason
{
    City,
    NewSkill,
    PriceOutsideRange,
    SkillCertificate,
}

/// <summary>
/// Re-audit (复审): an approved worker's change to their city, a skill they were not certified for, their skill
/// certificate, or an own price outside the item's allowed range waits for an admin; everything else applies at once —
/// including dropping a skill or a price inside the range.
/// </summary>
public static class ProfileChanges
{
    /// <summary>An own price may go from half to twice the catalogue price without an audit.</summary>
    public const int MinOwnPricePercent = 50;
    public const int MaxOwnPricePercent = 200;

    public static (long MinFen, long MaxFen) OwnPriceRange(long catalogPriceFen) =>
        (catalogPriceFen * MinOwnPricePercent / 100, catalogPriceFen * MaxOwnPricePercent / 100);

    /// <param name="catalogPriceFen">The catalogue price of each requested item.</param>
    /// <returns>Why the change waits for an audit; empty when it may apply now.</returns>
    public static IReadOnlyList<ReauditReason> ReasonsToAudit(AuditedProfile live, AuditedProfile requested, Func<string, long> catalogPriceFen)
    {
        var reasons = new List<ReauditReason>();
        if (requested.CityId != live.CityId)
        {
            reasons.Add(ReauditReason.City);
        }

        var known = live.Skills.ToDictionary(s => s.ItemId, StringComparer.Ordinal);
        if (requested.Skills.Any(s => !known.ContainsKey(s.ItemId)))
        {
            reasons.Add(ReauditReason.NewSkill);
        }

        if (requested.Skills.Any(s => s.OwnPriceFen is { } price && price != known.GetValueOrDefault(s.ItemId)?.OwnPriceFen && Outside(price, catalogPriceFen(s.ItemId))))
        {
            reasons.Add(ReauditReason.PriceOutsideRange);
        }

        if (requested.SkillCertificate is not null && requested.SkillCertificate != live.SkillCertificate)
        {
            reasons.Add(ReauditReason.SkillCertificate);
        }

        return reasons;
    }

    private static bool Outside(long price, long catalogPriceFen)
    {
        var (min, max) = OwnPriceRange(catalogPriceFen);
        return price < min || price > max;
    }
}
