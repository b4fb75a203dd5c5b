using System.Net;
using HomeService.Functions.Catalog;
using HomeService.Functions.Seed;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Catalog;

/// <summary>The app as the local run script starts it: Seed:Demo=true, in its own database.</summary>
public sealed class SeededApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Seed:Demo"] = "true" };
}

public sealed class DemoCatalogSeedTests(SeededApiFactory factory) : IClassFixture<SeededApiFactory>
{
    [Fact]
    public async Task Demo_seed_serves_cities_categories_items_and_packages_and_reseeding_changes_nothing()
    {
        var anonymous = factory.CreateClient();

        var cities = await (await anonymous.GetAsync("/api/catalog/cities")).ReadAsync<List<CityDto>>();
        var tree = await (await anonymous.GetAsync("/api/catalog/cities/shanghai/categories")).ReadAsync<List<CategoryDto>>();
        var items = await (await anonymous.GetAsync("/api/catalog/cities/shanghai/items?pageSize=50")).ReadAsync<ItemPageDto>();
        var packages = await (await anonymous.GetAsync("/api/catalog/cities/shanghai/packages")).ReadAsync<List<PackageDto>>();

        Assert.Superset(new HashSet<string> { "shanghai", "beijing" }, cities.Select(c => c.Id).ToHashSet());
        Assert.All(cities, c => Assert.Equal("Asia/Shanghai", c.TimeZone));
        Assert.Equal(["cleaning", "appliance-repair", "beauty", "health-care"], tree.Select(c => c.Id));
        Assert.True(items.Items.Count >= 12, $"{items.Items.Count} items in Shanghai");
        Assert.Equal(items.Items.OrderByDescending(i => i.Popularity).Select(i => i.Id), items.Items.Select(i => i.Id));
        Assert.Equal(2, packages.Count);
        Assert.All(packages, p => Assert.True(p.PriceFen < p.OriginalPriceFen));

        await DemoCatalogSeeder.SeedAsync(factory.Services.GetRequiredService<CatalogStore>(), CancellationToken.None);
        var again = await (await anonymous.GetAsync("/api/catalog/cities/shanghai/items?pageSize=50")).ReadAsync<ItemPageDto>();
        Assert.Equal(items.Items.Select(i => i.Id), again.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Demo_workers_are_bookable_for_seeded_items_on_their_public_cards()
    {
        var client = factory.CreateClient();

        var card = await (await client.GetAsync("/api/workers/demo-worker-wang")).EnsureStatusAsync(System.Net.HttpStatusCode.OK);
        var json = await card.ReadJsonAsync();
        Assert.Contains(json.GetProperty("skills").EnumerateArray(), s => s.GetProperty("itemId").GetString() == "daily-cleaning-2h");
    }

    [Fact]
    public async Task Every_demo_item_passes_the_admin_rules()
    {
        // Round-trip each seeded item through the admin update: the same validation as any admin edit.
        var admin = await factory.AdminAsync();
        foreach (var item in DemoCatalog.Items)
        {
            var read = await (await admin.GetAsync($"/api/admin/catalog/items/{item.Id}")).EnsureStatusAsync(HttpStatusCode.OK);
            var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/catalog/items/{item.Id}")
            {
                Content = new StringContent(await read.Content.ReadAsStringAsync(), System.Text.Encoding.UTF8, "application/json"),
            }.WithIfMatch(read.Headers.ETag!.ToString());
            await (await admin.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);
        }
    }
}
