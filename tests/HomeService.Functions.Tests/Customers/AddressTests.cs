using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Customers;

[Collection(ApiCollection.Name)]
public sealed class AddressTests(ApiFactory factory)
{
    private async Task<string> CityAsync()
    {
        var id = $"city-{Guid.NewGuid():N}"[..20];
        var db = factory.Services.GetRequiredService<CosmosDb>();
        await db.Catalog.UpsertItemAsync(new
        {
            id, type = "city", name = "上海", timeZone = "Asia/Shanghai", active = true, districts = new[] { "黄浦区", "静安区", "徐汇区" },
            center = new { latitude = 31.2304, longitude = 121.4737 },
        }, new PartitionKey("city"));
        return id;
    }

    private static object Address(string cityId, string detail, double lat = 31.2304, double lng = 121.4737, bool isDefault = false) =>
        new { label = "家", contactName = "王女士", contactPhone = "138 1234 5678", cityId, district = "静安区", detail, latitude = lat, longitude = lng, isDefault };

    [Fact]
    public async Task A_customer_adds_edits_defaults_and_deletes_addresses()
    {
        var city = await CityAsync();
        var client = await factory.NewCustomerAsync();

        var home = await (await (await client.PostAsJsonAsync("/api/customer/addresses", Address(city, "南京西路 1 号"))).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<AddressView>();
        var office = await (await client.PostAsJsonAsync("/api/customer/addresses", Address(city, "淮海中路 99 号"))).ReadAsync<AddressView>();
        Assert.True(home.IsDefault);
        Assert.False(office.IsDefault);
        Assert.Equal("+8613812345678", home.ContactPhone);

        await (await client.PostAsync($"/api/customer/addresses/{office.Id}/default", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var list = await (await client.GetAsync("/api/customer/addresses")).ReadAsync<List<AddressView>>();
        Assert.Equal(office.Id, Assert.Single(list, a => a.IsDefault).Id);

        var read = await client.GetAsync($"/api/customer/addresses/{home.Id}");
        var etag = read.Headers.ETag!.Tag;
        var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/customer/addresses/{home.Id}") { Content = JsonContent.Create(Address(city, "南京西路 2 号")) }.WithIfMatch(etag);
        var edited = await (await (await client.SendAsync(edit)).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<AddressView>();
        Assert.Equal("南京西路 2 号", edited.Detail);
        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/customer/addresses/{home.Id}") { Content = JsonContent.Create(Address(city, "南京西路 3 号")) }.WithIfMatch(etag);
        await (await client.SendAsync(stale)).EnsureStatusAsync(HttpStatusCode.PreconditionFailed);

        var officeEtag = (await client.GetAsync($"/api/customer/addresses/{office.Id}")).Headers.ETag!.Tag;
        await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/customer/addresses/{office.Id}").WithIfMatch(officeEtag)))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        var remaining = await (await client.GetAsync("/api/customer/addresses")).ReadAsync<List<AddressView>>();
        Assert.True(Assert.Single(remaining).IsDefault);
    }

    [Fact]
    public async Task One_customer_cannot_read_change_or_delete_another_customers_address()
    {
        var city = await CityAsync();
        var owner = await factory.NewCustomerAsync();
        var intruder = await factory.NewCustomerAsync();
        var created = await owner.PostAsJsonAsync("/api/customer/addresses", Address(city, "私人地址 8 号"));
        var address = await created.ReadAsync<AddressView>();
        var etag = created.Headers.ETag!.Tag;

        await (await intruder.GetAsync($"/api/customer/addresses/{address.Id}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        var change = new HttpRequestMessage(HttpMethod.Put, $"/api/customer/addresses/{address.Id}") { Content = JsonContent.Create(Address(city, "改掉")) }.WithIfMatch(etag);
        await (await intruder.SendAsync(change)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await intruder.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/customer/addresses/{address.Id}").WithIfMatch(etag)))
            .EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await intruder.PostAsync($"/api/customer/addresses/{address.Id}/default", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        Assert.Empty(await (await intruder.GetAsync("/api/customer/addresses")).ReadAsync<List<AddressView>>());

        var mine = await (await owner.GetAsync($"/api/customer/addresses/{address.Id}")).ReadAsync<AddressView>();
        Assert.Equal("私人地址 8 号", mine.Detail);
    }

    [Fact]
    public async Task Coordinates_are_required_and_range_checked_and_the_city_must_exist()
    {
        var city = await CityAsync();
        var client = await factory.NewCustomerAsync();

        var noCoordinates = await client.PostAsJsonAsync("/api/customer/addresses",
            new { contactName = "李", contactPhone = "13812345678", cityId = city, detail = "x 路" });
        var fieldCodes = (await (await noCoordinates.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("required", fieldCodes.GetProperty("latitude")[0].GetString());
        Assert.Equal("required", fieldCodes.GetProperty("longitude")[0].GetString());

        var outOfRange = await client.PostAsJsonAsync("/api/customer/addresses", Address(city, "x 路", lat: 120, lng: 200));
        await outOfRange.EnsureStatusAsync(HttpStatusCode.BadRequest);

        var unknownCity = await client.PostAsJsonAsync("/api/customer/addresses", Address("atlantis", "x 路"));
        var problem = await (await unknownCity.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("unknown_reference", problem.GetProperty("fieldCodes").GetProperty("cityId")[0].GetString());
        Assert.Empty(await (await client.GetAsync("/api/customer/addresses")).ReadAsync<List<AddressView>>());
    }

    [Fact]
    public async Task An_address_must_lie_in_its_city_a_district_it_lists_and_a_point_within_its_area()
    {
        var city = await CityAsync();
        var client = await factory.NewCustomerAsync();

        // Issue 14 #9: a district the city does not have, and Beijing's coordinates for a Shanghai address.
        var wrongDistrict = await client.PostAsJsonAsync("/api/customer/addresses",
            new { contactName = "李", contactPhone = "13812345678", cityId = city, district = "朝阳区", detail = "x 路", latitude = 31.2304, longitude = 121.4737 });
        var districtCodes = (await (await wrongDistrict.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("unknown_district", districtCodes.GetProperty("district")[0].GetString());

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/addresses") { Content = JsonContent.Create(Address(city, "x 路", lat: 39.9042, lng: 116.4074)) };
        request.Headers.AcceptLanguage.ParseAdd("en");
        var farAway = await (await (await client.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("outside_city", farAway.GetProperty("fieldCodes").GetProperty("latitude")[0].GetString());
        Assert.Equal("outside_city", farAway.GetProperty("fieldCodes").GetProperty("longitude")[0].GetString());
        Assert.Contains("80 km", farAway.GetProperty("errors").GetProperty("latitude")[0].GetString());
        Assert.Empty(await (await client.GetAsync("/api/customer/addresses")).ReadAsync<List<AddressView>>());

        // Inside: a listed district ~40 km out (Pudong's coast), and no district at all.
        await (await client.PostAsJsonAsync("/api/customer/addresses", Address(city, "临港", lat: 30.90, lng: 121.90))).EnsureStatusAsync(HttpStatusCode.Created);
        var created = await (await client.PostAsJsonAsync("/api/customer/addresses",
            new { contactName = "李", contactPhone = "13812345678", cityId = city, detail = "y 路", latitude = 31.25, longitude = 121.45 })).EnsureStatusAsync(HttpStatusCode.Created);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;

        // An edit is checked the same way.
        var etag = (await client.GetAsync($"/api/customer/addresses/{id}")).Headers.ETag!.Tag;
        var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/customer/addresses/{id}") { Content = JsonContent.Create(Address(city, "y 路", lat: 39.9042, lng: 116.4074)) };
        edit.Headers.IfMatch.ParseAdd(etag);
        await (await client.SendAsync(edit)).EnsureStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Favorites_are_idempotent_and_must_point_at_something_real()
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var itemId = $"item-{Guid.NewGuid():N}";
        await db.Catalog.UpsertItemAsync(new { id = itemId, type = "item", name = "日常保洁" }, new PartitionKey("item"));
        var client = await factory.NewCustomerAsync();

        await (await client.PutAsync($"/api/customer/favorites/item/{itemId}", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await client.PutAsync($"/api/customer/favorites/item/{itemId}", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await client.PutAsync("/api/customer/favorites/item/no-such-item", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await client.PutAsync("/api/customer/favorites/planet/earth", null)).EnsureStatusAsync(HttpStatusCode.BadRequest);

        var page = await (await client.GetAsync("/api/customer/favorites?kind=item")).ReadJsonAsync();
        Assert.Equal(itemId, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("targetId").GetString());

        await (await client.DeleteAsync($"/api/customer/favorites/item/{itemId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.DeleteAsync($"/api/customer/favorites/item/{itemId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Empty((await (await client.GetAsync("/api/customer/favorites")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Browsing_history_lists_the_latest_view_first_and_pages_with_a_token()
    {
        var client = await factory.NewCustomerAsync();
        var me = (await (await client.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString()!;
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            var text = JsonSerializer.Serialize(new BrowsingHistoryMessage(me, $"item-{i}", start.AddMinutes(i)), CosmosDb.JsonOptions);
            await QueueDelivery.DeliverAsync(factory, BrowsingHistory.Name, text);
        }

        var first = await (await client.GetAsync("/api/customer/history?pageSize=3")).ReadJsonAsync();
        var token = first.GetProperty("continuationToken").GetString();
        var second = await (await client.GetAsync($"/api/customer/history?pageSize=3&continuationToken={Uri.EscapeDataString(token!)}")).ReadJsonAsync();

        var items = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(e => e.GetProperty("itemId").GetString()!).ToArray();
        Assert.Equal(["item-4", "item-3", "item-2", "item-1", "item-0"], items);
        await (await client.GetAsync("/api/customer/history?continuationToken=garbage")).EnsureStatusAsync(HttpStatusCode.BadRequest);
    }
}
