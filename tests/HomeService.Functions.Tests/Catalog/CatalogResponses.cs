namespace HomeService.Functions.Tests.Catalog;

internal sealed record ItemSummaryDto(string Id, string Name, string CategoryId, long PriceFen, int DurationMinutes, string? Image, long Popularity);

internal sealed record ItemPageDto(List<ItemSummaryDto> Items, string? ContinuationToken);

internal sealed record CategoryDto(string Id, string Name, int SortOrder, List<CategoryDto>? Children);

internal sealed record CityDto(string Id, string Name, string TimeZone, List<string> Districts);

internal sealed record PackageItemDto(string ItemId, string Name, int Quantity, long UnitPriceFen);

internal sealed record PackageDto(string Id, string Name, string Description, List<PackageItemDto> Items, long PriceFen, long OriginalPriceFen);

internal sealed record ItemDetailDto(string Id, string Name, string Description, List<string> ProcessSteps, long PriceFen, int DurationMinutes, long Popularity);
