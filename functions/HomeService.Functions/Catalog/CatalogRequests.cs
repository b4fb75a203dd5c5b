using System.Text.RegularExpressions;
using HomeService.Domain.Catalog;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Catalog;

// Admin request bodies. Every field is nullable so that a missing one is reported by name with the
// others (400 listing every bad field) rather than failing deserialization on the first.

public sealed record GeoCenterRequest(double? Latitude, double? Longitude);

public sealed record CityRequest(
    string? Id, string? Name, Dictionary<string, string>? Translations, string? TimeZone, bool? Active,
    List<string>? Districts, GeoCenterRequest? Center, int? AreaRadiusKm = null);

public sealed record CategoryRequest(
    string? Id, string? ParentId, string? Name, Dictionary<string, string>? Translations, int? SortOrder, bool? Active);

public sealed record TravelFeeRequest(double? FreeWithinKm, long? PerKmFen, long? CapFen);

public sealed record ExtraFeesRequest(TravelFeeRequest? Travel, long? MaterialsFen);

public sealed record ItemRequest(
    string? Id, string? Name, Dictionary<string, string>? Translations, string? Description,
    Dictionary<string, string>? DescriptionTranslations, List<string>? ProcessSteps, List<string>? Tools,
    string? CategoryId, int? DurationMinutes, int? BufferMinutes, long? PriceFen, ExtraFeesRequest? ExtraFees,
    List<string>? Images, List<string>? CityIds, bool? Active, long? Popularity);

public sealed record PackageLineRequest(string? ItemId, int? Quantity);

public sealed record PackageRequest(
    string? Id, string? Name, Dictionary<string, string>? Translations, string? Description,
    Dictionary<string, string>? DescriptionTranslations, List<PackageLineRequest>? Items, long? PriceFen,
    List<string>? CityIds, bool? Active);

/// <summary>Field checks of admin requests that need no database; reference checks follow in the endpoints.</summary>
public static partial class CatalogValidation
{
    public static string ResolveId(Validator v, string? suppliedId, string kind)
    {
        if (suppliedId is null)
        {
            return CatalogRules.NewId(kind);
        }

        v.Check(CatalogRules.IsSlug(suppliedId), "id", "invalid_slug");
        return suppliedId;
    }

    public static void Translations(Validator v, string field, Dictionary<string, string>? translations, int maxLength)
    {
        if (translations is null)
        {
            return;
        }

        v.Check(translations.Count <= 10, field, "too_many", 10);
        foreach (var (tag, text) in translations)
        {
            if (!LanguageTag().IsMatch(tag))
            {
                v.Add($"{field}.{tag}", "invalid_language_tag");
            }
            else
            {
                v.Required($"{field}.{tag}", text, maxLength);
            }
        }
    }

    public static void Texts(Validator v, string field, List<string>? values, int maxCount, int maxLength)
    {
        if (values is null)
        {
            return;
        }

        v.Check(values.Count <= maxCount, field, "too_many", maxCount);
        for (var i = 0; i < values.Count; i++)
        {
            v.Required($"{field}[{i}]", values[i], maxLength);
        }
    }

    public static void Ids(Validator v, string field, List<string>? ids, int maxCount, bool required)
    {
        if (ids is null || ids.Count == 0)
        {
            v.Check(!required, field, "required");
            return;
        }

        v.Check(ids.Count <= maxCount, field, "too_many", maxCount);
        v.Check(ids.Distinct(StringComparer.Ordinal).Count() == ids.Count, field, "duplicate");
        for (var i = 0; i < ids.Count; i++)
        {
            v.Check(CatalogRules.IsSlug(ids[i]), $"{field}[{i}]", "unknown_reference");
        }
    }

    public static void RequiredRange(Validator v, string field, long? value, long min, long max)
    {
        if (value is null)
        {
            v.Add(field, "required");
        }
        else
        {
            v.Range(field, value.Value, min, max);
        }
    }

    public static void RequiredRange(Validator v, string field, double? value, double min, double max)
    {
        if (value is null)
        {
            v.Add(field, "required");
        }
        else
        {
            v.Range(field, value.Value, min, max);
        }
    }

    public static Dictionary<string, string>? Trimmed(Dictionary<string, string>? translations) =>
        translations is null || translations.Count == 0 ? null : translations.ToDictionary(t => t.Key, t => t.Value.Trim(), StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
