using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Catalog;

[Collection(ApiCollection.Name)]
public sealed class BrowseCatalogTests(ApiFactory factory)
{
    [Fact]
    public async Task Admin_builds_a_city_catalog_and_the_public_browse_finds_items_by_keyword_category_price_and_duration()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (cleaning, daily) = await api.CategoryPairAsync();
        var deep = await api.CategoryAsync(cleaning);
        var (repair, airCon) = await api.CategoryPairAsync();
        var cheap = await api.ItemAsync(daily, city, priceFen: 8_000, durationMinutes: 60, popularity: 5, name: "厨房快速保洁", englishName: "Quick kitchen clean");
        var mid = await api.ItemAsync(deep, city, priceFen: 20_000, durationMinutes: 180, popularity: 50, name: "全屋深度保洁", description: "包含厨房油烟机");
        var pricey = await api.ItemAsync(airCon, city, priceFen: 30_000, durationMinutes: 90, popularity: 20, name: "空调深度清洗");
        await api.ItemAsync(daily, city, active: false, name: "已下架的保洁");
        await api.ItemAsync(daily, await api.CityAsync(), name: "别的城市的保洁");
        var anonymous = factory.CreateClient();

        Assert.Equal([mid, pricey, cheap], await IdsAsync(anonymous, city, ""));
        Assert.Equal([cheap, mid, pricey], await IdsAsync(anonymous, city, "sort=price_asc"));
        Assert.Equal([pricey, mid, cheap], await IdsAsync(anonymous, city, "sort=price_desc"));
        Assert.Equal([mid, cheap], await IdsAsync(anonymous, city, $"categoryId={cleaning}"));
        Assert.Equal([cheap], await IdsAsync(anonymous, city, $"categoryId={daily}"));
        Assert.Equal([pricey], await IdsAsync(anonymous, city, $"categoryId={repair}"));
        Assert.Equal([mid, cheap], await IdsAsync(anonymous, city, $"keyword={Uri.EscapeDataString("厨房")}"));
        Assert.Equal([cheap], await IdsAsync(anonymous, city, "keyword=QUICK"));
        Assert.Equal([mid, pricey], await IdsAsync(anonymous, city, "minPrice=10000&maxPrice=30000"));
        Assert.Equal([pricey, cheap], await IdsAsync(anonymous, city, "maxDuration=120"));
        Assert.Equal([mid], await IdsAsync(anonymous, city, "minDuration=100&minPrice=15000&sort=price_asc"));
    }

    [Fact]
    public async Task A_keyword_matches_whole_words_not_letters_inside_other_words()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        var ac = await api.ItemAsync(child, city, popularity: 3, name: "空调清洗", englishName: "AC cleaning");
        var acHyphen = await api.ItemAsync(child, city, popularity: 2, name: "中央空调保养", englishName: "Central-AC service");
        await api.ItemAsync(child, city, name: "地面打蜡", englishName: "Surface waxing");
        await api.ItemAsync(child, city, name: "背部按摩", englishName: "Back massage");
        var anonymous = factory.CreateClient();

        Assert.Equal([ac, acHyphen], await IdsAsync(anonymous, city, "keyword=AC"));
        Assert.Equal([ac], await IdsAsync(anonymous, city, "keyword=ac%20Cleaning"));
        Assert.Empty(await IdsAsync(anonymous, city, "keyword=clean"));
        Assert.Empty(await IdsAsync(anonymous, city, "keyword=%2B%2B"));
        Assert.Equal([ac, acHyphen], await IdsAsync(anonymous, city, $"keyword={Uri.EscapeDataString("空调")}"));
    }

    [Theory]
    [InlineData("price_asc")]
    [InlineData("price_desc")]
    [InlineData("popularity")]
    public async Task Paging_returns_every_matching_item_exactly_once_in_order(string sort)
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        // Repeated prices and popularities: ties must neither repeat nor skip across page boundaries.
        var created = new HashSet<string>();
        for (var i = 0; i < 11; i++)
        {
            created.Add(await api.ItemAsync(child, city, priceFen: 1_000 * (1 + i % 4), popularity: i % 3));
        }

        var anonymous = factory.CreateClient();
        var seen = new List<ItemSummaryDto>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = $"sort={sort}&pageSize=3" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await (await (await anonymous.GetAsync($"/api/catalog/cities/{city}/items?{query}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<ItemPageDto>();
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 20);

        Assert.Equal(created.Order(), seen.Select(i => i.Id).Order());
        Assert.Equal(seen.Count, seen.Select(i => i.Id).Distinct().Count());
        var keys = seen.Select(i => sort == "popularity" ? -i.Popularity : sort == "price_asc" ? i.PriceFen : -i.PriceFen).ToList();
        Assert.Equal(keys.Order(), keys);
        Assert.True(pages >= 4);
    }

    [Theory]
    [InlineData("minPrice=500&maxPrice=100", "minPrice", "min_above_max")]
    [InlineData("pageSize=0", "pageSize", "out_of_range")]
    [InlineData("pageSize=101", "pageSize", "out_of_range")]
    [InlineData("pageSize=abc", "pageSize", "invalid_number")]
    [InlineData("sort=cheapest", "sort", "invalid_sort")]
    [InlineData("minDuration=200&maxDuration=100", "minDuration", "min_above_max")]
    [InlineData("continuationToken=not-a-token", "continuationToken", "invalid_continuation")]
    public async Task Invalid_browse_parameters_answer_400_naming_the_field(string query, string field, string code)
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();

        var response = await factory.CreateClient().GetAsync($"/api/catalog/cities/{city}/items?{query}");

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(code, (await response.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task A_continuation_token_used_with_another_sort_or_city_is_400()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var otherCity = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        for (var i = 0; i < 3; i++)
        {
            await api.ItemAsync(child, city, priceFen: 1_000 + i);
        }

        var anonymous = factory.CreateClient();
        var first = await (await anonymous.GetAsync($"/api/catalog/cities/{city}/items?sort=price_asc&pageSize=1")).ReadAsync<ItemPageDto>();
        var token = Uri.EscapeDataString(first.ContinuationToken!);

        var otherSort = await anonymous.GetAsync($"/api/catalog/cities/{city}/items?sort=price_desc&pageSize=1&continuationToken={token}");
        var elsewhere = await anonymous.GetAsync($"/api/catalog/cities/{otherCity}/items?sort=price_asc&pageSize=1&continuationToken={token}");
        var next = await anonymous.GetAsync($"/api/catalog/cities/{city}/items?sort=price_asc&pageSize=1&continuationToken={token}");

        await otherSort.EnsureStatusAsync(HttpStatusCode.BadRequest);
        await elsewhere.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_continuation", (await elsewhere.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty("continuationToken")[0].GetString());
        Assert.Equal(1_001, (await (await next.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<ItemPageDto>()).Items.Single().PriceFen);
    }

    [Fact]
    public async Task Catalog_text_follows_accept_language_when_a_translation_exists()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (parent, child) = await api.CategoryPairAsync();
        var translated = await api.ItemAsync(child, city, name: "日常保洁", englishName: "Regular cleaning", popularity: 2);
        await api.ItemAsync(child, city, name: "擦玻璃", englishName: null, popularity: 1);

        var english = await BrowseAsync(factory.CreateClient(), city, "", "en");
        var chinese = await BrowseAsync(factory.CreateClient(), city, "", "zh-CN");
        var tree = await (await Send(factory.CreateClient(), $"/api/catalog/cities/{city}/categories", "en")).ReadAsync<List<CategoryDto>>();
        var detail = await (await Send(factory.CreateClient(), $"/api/catalog/items/{translated}", "en")).ReadAsync<ItemDetailDto>();

        Assert.Equal(["Regular cleaning", "擦玻璃"], english.Items.Select(i => i.Name));
        Assert.Equal(["日常保洁", "擦玻璃"], chinese.Items.Select(i => i.Name));
        Assert.Equal("Whole-home cleaning", detail.Description);
        var node = Assert.Single(tree, c => c.Id == parent);
        Assert.Equal("Cleaning", node.Name);
        Assert.Equal([child], node.Children!.Select(c => c.Id));
    }

    [Fact]
    public async Task Public_lists_show_only_active_cities_and_offered_categories()
    {
        var api = await CatalogApi.StartAsync(factory);
        var active = await api.CityAsync();
        var inactive = await api.CityAsync(active: false);
        var (parent, offered) = await api.CategoryPairAsync();
        var empty = await api.CategoryAsync(parent);
        await api.ItemAsync(offered, active);
        var anonymous = factory.CreateClient();

        var cities = await (await anonymous.GetAsync("/api/catalog/cities")).ReadAsync<List<CityDto>>();
        var tree = await (await anonymous.GetAsync($"/api/catalog/cities/{active}/categories")).ReadAsync<List<CategoryDto>>();
        var inactiveBrowse = await anonymous.GetAsync($"/api/catalog/cities/{inactive}/items");

        Assert.Contains(cities, c => c.Id == active && c.TimeZone == "Asia/Shanghai");
        Assert.DoesNotContain(cities, c => c.Id == inactive);
        var node = Assert.Single(tree, c => c.Id == parent);
        Assert.Equal([offered], node.Children!.Select(c => c.Id));
        Assert.DoesNotContain(empty, node.Children!.Select(c => c.Id));
        await inactiveBrowse.EnsureStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Item_detail_is_404_for_a_missing_or_inactive_item()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        var inactive = await api.ItemAsync(child, city, active: false);
        var anonymous = factory.CreateClient();

        var missing = await anonymous.GetAsync("/api/catalog/items/no-such-item");
        var hidden = await anonymous.GetAsync($"/api/catalog/items/{inactive}");

        await missing.EnsureStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal("not_found", (await missing.ReadJsonAsync()).GetProperty("code").GetString());
        await hidden.EnsureStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Item_detail_opened_by_a_customer_enqueues_a_browsing_history_message()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        var viewedByCustomer = await api.ItemAsync(child, city);
        var viewedAnonymously = await api.ItemAsync(child, city);
        var customer = await factory.NewCustomerAsync();

        var detail = await customer.GetAsync($"/api/catalog/items/{viewedByCustomer}");
        await (await factory.CreateClient().GetAsync($"/api/catalog/items/{viewedAnonymously}")).EnsureStatusAsync(HttpStatusCode.OK);

        await detail.EnsureStatusAsync(HttpStatusCode.OK);
        var queue = factory.Services.GetRequiredService<StorageClients>().Queue(BrowsingHistory.QueueName);
        var messages = (await queue.PeekMessagesAsync(32)).Value
            .Select(m => JsonSerializer.Deserialize<BrowsingHistoryMessage>(m.MessageText, ApiClient.Json)!)
            .ToList();
        var message = Assert.Single(messages, m => m.ItemId == viewedByCustomer);
        Assert.False(string.IsNullOrEmpty(message.UserId));
        Assert.DoesNotContain(messages, m => m.ItemId == viewedAnonymously);
    }

    [Fact]
    public async Task Packages_of_a_city_list_their_items_and_the_price_without_the_package()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        var a = await api.ItemAsync(child, city, priceFen: 10_000);
        var b = await api.ItemAsync(child, city, priceFen: 5_000, name: "擦玻璃", englishName: "Window cleaning");
        var created = await api.Admin.PostAsJsonAsync("/api/admin/catalog/packages", new
        {
            name = "保洁套餐", translations = new Dictionary<string, string> { ["en"] = "Cleaning bundle" }, priceFen = 20_000, cityIds = new[] { city },
            items = new[] { new { itemId = a, quantity = 1 }, new { itemId = b, quantity = 3 } },
        });
        await created.EnsureStatusAsync(HttpStatusCode.Created);

        var packages = await (await Send(factory.CreateClient(), $"/api/catalog/cities/{city}/packages", "en")).ReadAsync<List<PackageDto>>();

        var package = Assert.Single(packages);
        Assert.Equal("Cleaning bundle", package.Name);
        Assert.Equal(20_000, package.PriceFen);
        Assert.Equal(25_000, package.OriginalPriceFen);
        Assert.Equal(["Regular cleaning", "Window cleaning"], package.Items.Select(i => i.Name));
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string city, string query) =>
        (await BrowseAsync(client, city, query)).Items.Select(i => i.Id).ToList();

    private static async Task<ItemPageDto> BrowseAsync(HttpClient client, string city, string query, string? language = null)
    {
        var response = await Send(client, $"/api/catalog/cities/{city}/items?{query}", language);
        return await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<ItemPageDto>();
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string path, string? language)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (language is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(language);
        }

        return await (await client.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.OK);
    }
}
