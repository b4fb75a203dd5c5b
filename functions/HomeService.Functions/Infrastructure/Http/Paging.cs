namespace HomeService.Functions.Infrastructure.Http;

/// <summary>One page-size rule for every list of the API: 1–100, 20 when not given.</summary>
public static class Paging
{
    public const int MinPageSize = HomeService.Domain.Catalog.CatalogRules.MinPageSize;
    public const int MaxPageSize = HomeService.Domain.Catalog.CatalogRules.MaxPageSize;
    public const int DefaultPageSize = HomeService.Domain.Catalog.CatalogRules.DefaultPageSize;

    /// <summary>Checks <c>pageSize</c> against the rule.</summary>
    public static Validator PageSize(this Validator v, int? pageSize) => v.Range("pageSize", pageSize ?? DefaultPageSize, MinPageSize, MaxPageSize);
}
