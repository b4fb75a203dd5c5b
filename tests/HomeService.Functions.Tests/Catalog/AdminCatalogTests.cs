using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Catalog;

[Collection(ApiCollection.Name)]
public sealed class AdminCatalogTests(ApiFactory factory)
{
    [Fact]
    public async Task Created_item_is_served_with_location_and_etag_and_the_etag_guards_updates()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();

        var created = await api.Admin.PostAsJsonAsync("/api/admin/catalog/items", CatalogApi.ItemBody(null, child, [city], popularity: 42));
        await created.EnsureStatusAsync(HttpStatusCode.Created);
        var location = created.Headers.Location!.ToString();
        Assert.StartsWith("/api/admin/catalog/items/item-", location);
        Assert.NotNull(created.Headers.ETag);
        var body = await created.ReadJsonAsync();
        Assert.False(body.TryGetProperty("searchText", out _));

        var read = await api.Admin.GetAsync(location);
        await read.EnsureStatusAsync(HttpStatusCode.OK);
        var etag = read.Headers.ETag!.ToString();
        Assert.Equal(created.Headers.ETag!.ToString(), etag);

        var update = new HttpRequestMessage(HttpMethod.Put, location)
        {
            Content = JsonContent.Create(CatalogApi.ItemBody(null, child, [city], priceFen: 12_300, popularity: 0)),
        }.WithIfMatch(etag);
        var updated = await api.Admin.SendAsync(update);
        await updated.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await updated.ReadJsonAsync();
        Assert.Equal(12_300, after.GetProperty("priceFen").GetInt64());
        Assert.Equal(42, after.GetProperty("popularity").GetInt64()); // orders own the counter; an edit keeps it
        Assert.NotEqual(etag, updated.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_412_and_changes_nothing()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var path = $"/api/admin/catalog/cities/{city}";
        var staleEtag = (await api.Admin.GetAsync(path)).Headers.ETag!.ToString();
        var first = await api.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = JsonContent.Create(CityBody("第一次修改")),
        }.WithIfMatch(staleEtag));
        await first.EnsureStatusAsync(HttpStatusCode.OK);

        var second = await api.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = JsonContent.Create(CityBody("过期的修改")),
        }.WithIfMatch(staleEtag));

        await second.EnsureStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("precondition_failed", (await second.ReadJsonAsync()).GetProperty("code").GetString());
        var current = await (await api.Admin.GetAsync(path)).ReadJsonAsync();
        Assert.Equal("第一次修改", current.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Update_and_delete_without_if_match_are_428()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var path = $"/api/admin/catalog/cities/{city}";

        var put = await api.Admin.PutAsJsonAsync(path, CityBody("无条件修改"));
        var delete = await api.Admin.DeleteAsync(path);

        await put.EnsureStatusAsync(HttpStatusCode.PreconditionRequired);
        await delete.EnsureStatusAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal("测试城", (await (await api.Admin.GetAsync(path)).ReadJsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_with_the_current_etag_removes_the_city()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var path = $"/api/admin/catalog/cities/{city}";
        var etag = (await api.Admin.GetAsync(path)).Headers.ETag!.ToString();

        var deleted = await api.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path).WithIfMatch(etag));

        await deleted.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await api.Admin.GetAsync(path)).EnsureStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Customer_gets_403_and_anonymous_gets_401_on_admin_endpoints()
    {
        var customer = await factory.NewCustomerAsync();
        var anonymous = factory.CreateClient();

        var byCustomer = await customer.PostAsJsonAsync("/api/admin/catalog/cities", CityBody("上海"));
        var byAnonymous = await anonymous.GetAsync("/api/admin/catalog/items");

        await byCustomer.EnsureStatusAsync(HttpStatusCode.Forbidden);
        await byAnonymous.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Invalid_item_answers_400_listing_every_bad_field_in_chinese()
    {
        var api = await CatalogApi.StartAsync(factory);
        var (parent, _) = await api.CategoryPairAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/catalog/items")
        {
            Content = JsonContent.Create(new
            {
                id = "Not A Slug",
                name = "",
                categoryId = parent,
                durationMinutes = 5,
                bufferMinutes = 300,
                priceFen = 0,
                images = Enumerable.Range(0, 10).Select(i => $"img{i}.jpg").ToArray(),
                cityIds = new[] { "no-such-city" },
            }),
        };
        request.Headers.AcceptLanguage.ParseAdd("zh-CN");

        var response = await api.Admin.SendAsync(request);

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("一个或多个字段无效。", problem.GetProperty("title").GetString());
        var codes = problem.GetProperty("fieldCodes");
        Assert.Equal("invalid_slug", Code(codes, "id"));
        Assert.Equal("required", Code(codes, "name"));
        Assert.Equal("category_not_leaf", Code(codes, "categoryId"));
        Assert.Equal("out_of_range", Code(codes, "durationMinutes"));
        Assert.Equal("out_of_range", Code(codes, "bufferMinutes"));
        Assert.Equal("out_of_range", Code(codes, "priceFen"));
        Assert.Equal("too_many", Code(codes, "images"));
        Assert.Equal("unknown_reference", Code(codes, "cityIds[0]"));
        var errors = problem.GetProperty("errors");
        Assert.Equal("请选择二级分类。", errors.GetProperty("categoryId")[0].GetString());
        Assert.Equal("必须在 15 到 1440 之间。", errors.GetProperty("durationMinutes")[0].GetString());
    }

    [Fact]
    public async Task City_with_an_unknown_time_zone_is_rejected()
    {
        var api = await CatalogApi.StartAsync(factory);
        var response = await api.Admin.PostAsJsonAsync("/api/admin/catalog/cities",
            new { name = "火星城", timeZone = "Mars/Olympus_Mons", center = new { latitude = 100, longitude = 0 } });

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var codes = (await response.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("invalid_time_zone", Code(codes, "timeZone"));
        Assert.Equal("out_of_range", Code(codes, "center.latitude"));
    }

    [Fact]
    public async Task Creating_an_existing_id_is_409_already_exists()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();

        var again = await api.Admin.PostAsJsonAsync("/api/admin/catalog/cities", CityBody("重复", city));

        await again.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("already_exists", (await again.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_category_parent_must_exist_and_be_top_level()
    {
        var api = await CatalogApi.StartAsync(factory);
        var (_, child) = await api.CategoryPairAsync();

        var underChild = await api.Admin.PostAsJsonAsync("/api/admin/catalog/categories", new { name = "三级分类", parentId = child });
        var underNothing = await api.Admin.PostAsJsonAsync("/api/admin/catalog/categories", new { name = "孤儿分类", parentId = "no-such-category" });

        await underChild.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("category_not_top_level", Code((await underChild.ReadJsonAsync()).GetProperty("fieldCodes"), "parentId"));
        await underNothing.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("unknown_reference", Code((await underNothing.ReadJsonAsync()).GetProperty("fieldCodes"), "parentId"));
    }

    [Fact]
    public async Task Deleting_a_category_with_children_or_items_is_409()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (parent, child) = await api.CategoryPairAsync();
        await api.ItemAsync(child, city);

        var parentDelete = await DeleteAsync(api.Admin, $"/api/admin/catalog/categories/{parent}");
        var childDelete = await DeleteAsync(api.Admin, $"/api/admin/catalog/categories/{child}");
        var cityDelete = await DeleteAsync(api.Admin, $"/api/admin/catalog/cities/{city}");

        await parentDelete.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("category_has_children", (await parentDelete.ReadJsonAsync()).GetProperty("code").GetString());
        await childDelete.EnsureStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("in_use", (await childDelete.ReadJsonAsync()).GetProperty("code").GetString());
        await cityDelete.EnsureStatusAsync(HttpStatusCode.Conflict);
        await (await api.Admin.GetAsync($"/api/admin/catalog/categories/{child}")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Package_needs_existing_items_and_blocks_deleting_them()
    {
        var api = await CatalogApi.StartAsync(factory);
        var city = await api.CityAsync();
        var (_, child) = await api.CategoryPairAsync();
        var item = await api.ItemAsync(child, city);

        var bad = await api.Admin.PostAsJsonAsync("/api/admin/catalog/packages", new
        {
            name = "坏套餐", priceFen = 100, cityIds = new[] { city },
            items = new object[] { new { itemId = "no-such-item", quantity = 1 }, new { itemId = item, quantity = 0 } },
        });
        var good = await api.Admin.PostAsJsonAsync("/api/admin/catalog/packages", new
        {
            name = "好套餐", priceFen = 15_000, cityIds = new[] { city }, items = new[] { new { itemId = item, quantity = 2 } },
        });
        var itemDelete = await DeleteAsync(api.Admin, $"/api/admin/catalog/items/{item}");

        await bad.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var codes = (await bad.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("unknown_reference", Code(codes, "items[0].itemId"));
        Assert.Equal("out_of_range", Code(codes, "items[1].quantity"));
        await good.EnsureStatusAsync(HttpStatusCode.Created);
        await itemDelete.EnsureStatusAsync(HttpStatusCode.Conflict);
    }

    internal static object CityBody(string name, string? id = null) => new
    {
        id, name, timeZone = "Asia/Shanghai", active = true, districts = new[] { "黄浦区" }, center = new { latitude = 31.2, longitude = 121.5 },
    };

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient admin, string path)
    {
        var etag = (await admin.GetAsync(path)).Headers.ETag!.ToString();
        return await admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path).WithIfMatch(etag));
    }

    private static string? Code(JsonElement fieldCodes, string field) =>
        fieldCodes.TryGetProperty(field, out var codes) ? codes[0].GetString() : $"<no error for {field}: {fieldCodes}>";
}
