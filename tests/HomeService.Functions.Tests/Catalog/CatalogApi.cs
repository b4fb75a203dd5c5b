using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Catalog;

/// <summary>An admin building a catalog over HTTP, with ids unique to the test (tests share one database).</summary>
internal sealed class CatalogApi(HttpClient admin)
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public HttpClient Admin { get; } = admin;

    public static async Task<CatalogApi> StartAsync(ApiFactory factory) => new(await factory.AdminAsync());

    public async Task<string> CityAsync(string? id = null, bool active = true)
    {
        id ??= Unique("city");
        var response = await Admin.PostAsJsonAsync("/api/admin/catalog/cities", new
        {
            id, name = "测试城", translations = new Dictionary<string, string> { ["en"] = "Test City" }, timeZone = "Asia/Shanghai", active,
            districts = new[] { "浦东新区" }, center = new { latitude = 31.23, longitude = 121.47 },
        });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return id;
    }

    public async Task<string> CategoryAsync(string? parentId = null, string? id = null, bool active = true)
    {
        id ??= Unique("cat");
        var response = await Admin.PostAsJsonAsync("/api/admin/catalog/categories", new
        {
            id, parentId, name = parentId is null ? "家政保洁" : "日常保洁", translations = new Dictionary<string, string> { ["en"] = "Cleaning" }, sortOrder = 1, active,
        });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return id;
    }

    /// <summary>A top-level category with one child; returns both ids.</summary>
    public async Task<(string Parent, string Child)> CategoryPairAsync()
    {
        var parent = await CategoryAsync();
        return (parent, await CategoryAsync(parent));
    }

    public static object ItemBody(string? id, string categoryId, string[] cityIds, long priceFen = 10_000, int durationMinutes = 120,
        long popularity = 0, string name = "日常保洁", string? englishName = "Regular cleaning", string description = "全屋清洁", bool active = true) => new
    {
        id, name, translations = englishName is null ? null : new Dictionary<string, string> { ["en"] = englishName },
        description, descriptionTranslations = new Dictionary<string, string> { ["en"] = "Whole-home cleaning" },
        processSteps = new[] { "除尘", "拖地" }, tools = new[] { "抹布" }, categoryId, durationMinutes, bufferMinutes = 30, priceFen,
        extraFees = new { travel = new { freeWithinKm = 5, perKmFen = 200, capFen = 3000 }, materialsFen = 0 },
        images = new[] { "demo/cleaning.jpg" }, cityIds, active, popularity,
    };

    public async Task<string> ItemAsync(string categoryId, string cityId, long priceFen = 10_000, int durationMinutes = 120, long popularity = 0,
        string name = "日常保洁", string? englishName = "Regular cleaning", string description = "全屋清洁", bool active = true, string? id = null)
    {
        id ??= Unique("item");
        var response = await Admin.PostAsJsonAsync("/api/admin/catalog/items",
            ItemBody(id, categoryId, [cityId], priceFen, durationMinutes, popularity, name, englishName, description, active));
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return id;
    }
}
