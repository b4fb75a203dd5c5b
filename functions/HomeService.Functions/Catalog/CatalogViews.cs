using HomeService.Domain.Catalog;

namespace HomeService.Functions.Catalog;

// What the public catalog serves: text already in the caller's language, no admin-only fields.

public sealed record CityView(string Id, string Name, string TimeZone, IReadOnlyList<string> Districts, GeoCenter Center, int AreaRadiusKm)
{
    public static CityView From(CityDocument c, string language) =>
        new(c.Id, Localization.Pick(c.Name, c.Translations, language), c.TimeZone, c.Districts, c.Center, c.AreaRadiusKm);
}

public sealed record CategoryView(string Id, string Name, int SortOrder, IReadOnlyList<CategoryView>? Children = null)
{
    public static CategoryView From(CategoryDocument c, string language, IReadOnlyList<CategoryView>? children = null) =>
        new(c.Id, Localization.Pick(c.Name, c.Translations, language), c.SortOrder, children);
}

/// <param name="NearestWorkerKm">With a location: km to the nearest bookable worker who offers the item and whose area covers it.</param>
public sealed record ItemSummary(
    string Id, string Name, string CategoryId, long PriceFen, int DurationMinutes, string? Image, long Popularity, double? NearestWorkerKm = null,
    double RatingAverage = 0, int RatingCount = 0)
{
    public static ItemSummary From(ItemDocument i, string language) =>
        new(i.Id, Localization.Pick(i.Name, i.Translations, language), i.CategoryId, i.PriceFen, i.DurationMinutes,
            i.Images.Count > 0 ? i.Images[0] : null, i.Popularity, RatingAverage: i.RatingAverage, RatingCount: i.RatingCount);
}

public sealed record ItemDetail(
    string Id, string Name, string Description, IReadOnlyList<string> ProcessSteps, IReadOnlyList<string> Tools,
    string CategoryId, int DurationMinutes, long PriceFen, ExtraFees ExtraFees, IReadOnlyList<string> Images,
    IReadOnlyList<string> CityIds, long Popularity)
{
    public static ItemDetail From(ItemDocument i, string language) =>
        new(i.Id, Localization.Pick(i.Name, i.Translations, language), Localization.Pick(i.Description, i.DescriptionTranslations, language),
            i.ProcessSteps, i.Tools, i.CategoryId, i.DurationMinutes, i.PriceFen, i.ExtraFees, i.Images, i.CityIds, i.Popularity);
}

public sealed record PackageItemView(string ItemId, string Name, int Quantity, long UnitPriceFen);

/// <summary><see cref="OriginalPriceFen"/>: what the items cost one by one, to show the saving.</summary>
public sealed record PackageView(
    string Id, string Name, string Description, IReadOnlyList<PackageItemView> Items, long PriceFen, long OriginalPriceFen);

public sealed record ItemPage(IReadOnlyList<ItemSummary> Items, string? ContinuationToken);
