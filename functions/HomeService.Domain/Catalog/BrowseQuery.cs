namespace HomeService.Domain.Catalog;

public enum BrowseSort { Popularity, PriceAsc, PriceDesc, Distance, Rating }

/// <summary>A validated public item search within one city.</summary>
public sealed record BrowseQuery(
    string CityId,
    string? Keyword,
    string? CategoryId,
    long? MinPriceFen,
    long? MaxPriceFen,
    int? MinDurationMinutes,
    int? MaxDurationMinutes,
    BrowseSort Sort,
    int PageSize)
{
    /// <summary>Parses the raw query-string values; every problem is reported as (field, code, args).</summary>
    public static (BrowseQuery? Query, IReadOnlyList<(string Field, string Code, object?[] Args)> Errors) Parse(
        string cityId, string? keyword, string? categoryId, long? minPrice, long? maxPrice,
        int? minDuration, int? maxDuration, string? sort, int? pageSize)
    {
        var errors = new List<(string, string, object?[])>();
        void Range(string field, long? value, long min, long max)
        {
            if (value is { } v && (v < min || v > max))
            {
                errors.Add((field, "out_of_range", [min, max]));
            }
        }

        Range("minPrice", minPrice, 0, CatalogRules.MaxPriceFen);
        Range("maxPrice", maxPrice, 0, CatalogRules.MaxPriceFen);
        Range("minDuration", minDuration, 0, CatalogRules.MaxDurationMinutes);
        Range("maxDuration", maxDuration, 0, CatalogRules.MaxDurationMinutes);
        Range("pageSize", pageSize, CatalogRules.MinPageSize, CatalogRules.MaxPageSize);
        if (minPrice > maxPrice)
        {
            errors.Add(("minPrice", "min_above_max", []));
        }

        if (minDuration > maxDuration)
        {
            errors.Add(("minDuration", "min_above_max", []));
        }

        if (keyword is { Length: > 50 })
        {
            errors.Add(("keyword", "too_long", [50]));
        }

        BrowseSort parsedSort = BrowseSort.Popularity;
        if (!string.IsNullOrEmpty(sort) && !TryParseSort(sort, out parsedSort))
        {
            errors.Add(("sort", "invalid_sort", []));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new BrowseQuery(
            cityId,
            string.IsNullOrWhiteSpace(keyword) ? null : Localization.NormalizeKeyword(keyword),
            string.IsNullOrWhiteSpace(categoryId) ? null : categoryId.Trim(),
            minPrice, maxPrice, minDuration, maxDuration, parsedSort,
            pageSize ?? CatalogRules.DefaultPageSize), errors);
    }

    public static bool TryParseSort(string value, out BrowseSort sort)
    {
        sort = value switch
        {
            "popularity" => BrowseSort.Popularity,
            "price_asc" => BrowseSort.PriceAsc,
            "price_desc" => BrowseSort.PriceDesc,
            "distance" => BrowseSort.Distance,
            "rating" => BrowseSort.Rating,
            _ => (BrowseSort)(-1),
        };
        return Enum.IsDefined(sort);
    }
}
