namespace HomeService.Functions.Catalog;

// Documents of the `catalog` container (partition key /type: one logical partition per kind).
// Names are written once (usually in Chinese) with optional translations keyed by language tag.

public sealed record GeoCenter(double Latitude, double Longitude);

public sealed record CityDocument
{
    public const string Kind = "city";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string Name { get; init; }
    public Dictionary<string, string>? Translations { get; init; }
    public required string TimeZone { get; init; }
    public bool Active { get; init; }
    public IReadOnlyList<string> Districts { get; init; } = [];
    public required GeoCenter Center { get; init; }
    /// <summary>Addresses in the city lie within this distance of <see cref="Center"/>.</summary>
    public int AreaRadiusKm { get; init; } = HomeService.Domain.Catalog.CatalogRules.DefaultCityAreaRadiusKm;
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>ParentId null = top level; children point at a top-level category (two levels, never more).</summary>
public sealed record CategoryDocument
{
    public const string Kind = "category";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public string? ParentId { get; init; }
    public required string Name { get; init; }
    public Dictionary<string, string>? Translations { get; init; }
    public int SortOrder { get; init; }
    public bool Active { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>上门费: free within <see cref="FreeWithinKm"/>, then <see cref="PerKmFen"/> per km, at most <see cref="CapFen"/>.</summary>
public sealed record TravelFeeRule(double FreeWithinKm, long PerKmFen, long CapFen);

public sealed record ExtraFees(TravelFeeRule Travel, long MaterialsFen);

public sealed record ItemDocument
{
    public const string Kind = "item";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string Name { get; init; }
    public Dictionary<string, string>? Translations { get; init; }
    public string Description { get; init; } = "";
    public Dictionary<string, string>? DescriptionTranslations { get; init; }
    public IReadOnlyList<string> ProcessSteps { get; init; } = [];
    public IReadOnlyList<string> Tools { get; init; } = [];
    public required string CategoryId { get; init; }
    public int DurationMinutes { get; init; }

    /// <summary>Time kept free after the job (cleanup, travel slack); used by scheduling.</summary>
    public int BufferMinutes { get; init; }

    public long PriceFen { get; init; }
    public required ExtraFees ExtraFees { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
    public IReadOnlyList<string> CityIds { get; init; } = [];
    public bool Active { get; init; }

    /// <summary>Paid, uncancelled orders of the last 30 days, set daily by <see cref="ItemPopularity"/>; an admin sets only the initial value.</summary>
    public long Popularity { get; init; }

    /// <summary>
    /// Lower-cased name, description and their translations as lines of space-delimited terms
    /// (<see cref="HomeService.Domain.Catalog.Localization.SearchText"/>): keyword search is a CONTAINS of the
    /// keyword's terms between term boundaries (whole terms only), which behaves the same on the local server and on Cosmos.
    /// Internal; never served.
    /// </summary>
    public string? SearchText { get; init; }

    /// <summary>The <see cref="SearchText"/> this item's texts give today (the daily popularity run rewrites an item whose stored one differs).</summary>
    public string CurrentSearchText() => HomeService.Domain.Catalog.Localization.SearchText(
        [Name, .. Translations?.Values ?? Enumerable.Empty<string>(), Description, .. DescriptionTranslations?.Values ?? Enumerable.Empty<string>()]);

    /// <summary>Browse keys (<see cref="HomeService.Domain.Catalog.SortKeys"/>); internal, never served.</summary>
    public string? PriceKey { get; init; }

    public string? PopularityKey { get; init; }

    /// <summary>The mean overall score of the reviews of this item's orders (0 when none), and how many; set daily by <see cref="ItemPopularity"/>.</summary>
    public double RatingAverage { get; init; }

    public int RatingCount { get; init; }

    /// <summary>Browse key of the rating sort, derived and written with every document (so no path can leave it stale); internal.</summary>
    public string RatingKey => HomeService.Domain.Catalog.SortKeys.Rating(RatingAverage, RatingCount, Id);

    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record PackageLine(string ItemId, int Quantity);

/// <summary>套餐: several items at one package price.</summary>
public sealed record PackageDocument
{
    public const string Kind = "package";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string Name { get; init; }
    public Dictionary<string, string>? Translations { get; init; }
    public string Description { get; init; } = "";
    public Dictionary<string, string>? DescriptionTranslations { get; init; }
    public IReadOnlyList<PackageLine> Items { get; init; } = [];
    public long PriceFen { get; init; }
    public IReadOnlyList<string> CityIds { get; init; } = [];
    public bool Active { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
