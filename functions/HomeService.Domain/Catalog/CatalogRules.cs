using System.Text.RegularExpressions;

namespace HomeService.Domain.Catalog;

/// <summary>Limits of catalog documents, shared by validation, seed data and later scheduling.</summary>
public static partial class CatalogRules
{
    public const int NameMaxLength = 60;
    public const int DescriptionMaxLength = 2000;
    public const int StepMaxLength = 200;
    public const int MaxSteps = 20;
    public const int MaxTools = 30;
    public const int MaxImages = 9;
    public const int MaxDistricts = 100;
    /// <summary>How far from a city's centre its addresses may lie (km), unless the city says otherwise.</summary>
    public const int DefaultCityAreaRadiusKm = 80;
    public const int MinCityAreaRadiusKm = 5;
    public const int MaxCityAreaRadiusKm = 300;
    public const int MaxCities = 100;
    public const int MaxPackageItems = 20;

    public const int MinDurationMinutes = 15;
    public const int MaxDurationMinutes = 1440;
    public const int MinBufferMinutes = 0;
    public const int MaxBufferMinutes = 240;
    public const long MinPriceFen = 1;
    public const long MaxPriceFen = 10_000_000;
    public const int MinQuantity = 1;
    public const int MaxQuantity = 99;
    public const double MaxFreeTravelKm = 100;

    public const int MinPageSize = 1;
    /// <summary>Every list of the API pages 1–100 (the catalogue's rule is the API's, see Paging).</summary>
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    /// <summary>Ids are URL-safe slugs: lower-case letters, digits and inner hyphens, e.g. <c>deep-cleaning</c>.</summary>
    public static bool IsSlug(string? id) => id is not null && SlugPattern().IsMatch(id);

    /// <summary>An id for a document created without one: the kind and a random suffix.</summary>
    public static string NewId(string kind) => $"{kind}-{Guid.NewGuid().ToString("N")[..12]}";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
