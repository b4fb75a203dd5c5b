using System.Net;
using System.Text.Json;
using HomeService.Functions.Tests.Catalog;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Admin;

[Collection(ApiCollection.Name)]
public sealed class AdminAuditTests(ApiFactory factory)
{
    [Fact]
    public async Task Every_successful_admin_change_is_in_the_audit_log_with_who_what_and_the_ids_and_nothing_else_is()
    {
        var api = await CatalogApi.StartAsync(factory);
        var adminId = (await factory.PhoneTokens[ApiFactory.AdminPhone].Value).UserId;
        var city = await api.CityAsync();
        var read = await (await api.Admin.GetAsync($"/api/admin/catalog/cities/{city}")).EnsureStatusAsync(HttpStatusCode.OK);
        var etag = read.Headers.ETag!.Tag;
        // Refused (stale ETag) and read-only requests change nothing and are not recorded.
        using (var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/admin/catalog/cities/{city}").WithIfMatch("\"bm90LXRoaXMtb25l\""))
        {
            await (await api.Admin.SendAsync(stale)).EnsureStatusAsync(HttpStatusCode.PreconditionFailed);
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/admin/catalog/cities/{city}").WithIfMatch(etag))
        {
            await (await api.Admin.SendAsync(delete)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }

        var onCity = await ReadAllAsync(api.Admin, $"/api/admin/audit?targetId={city}&pageSize=10");
        var deleted = Assert.Single(onCity);
        Assert.Equal(("DELETE", "/api/admin/catalog/cities/{id}", 204, adminId), (Str(deleted, "method"), Str(deleted, "route"), deleted.GetProperty("status").GetInt32(), Str(deleted, "adminId")));
        Assert.Equal([city], deleted.GetProperty("targetIds").EnumerateArray().Select(t => t.GetString()));

        var byAdmin = await ReadAllAsync(api.Admin, $"/api/admin/audit?adminId={adminId}&pageSize=100");
        var created = Assert.Single(byAdmin, e => Str(e, "method") == "POST" && Str(e, "path") == "/api/admin/catalog/cities" && Str(e, "body")?.Contains(city) == true);
        Assert.Equal(201, created.GetProperty("status").GetInt32());
        Assert.Equal("测试城", JsonDocument.Parse(Str(created, "body")!).RootElement.GetProperty("name").GetString());
        Assert.True(created.GetProperty("at").GetDateTimeOffset() <= deleted.GetProperty("at").GetDateTimeOffset());
        Assert.DoesNotContain(byAdmin, e => Str(e, "method") == "GET");

        // Only admins read it.
        var customer = await factory.NewCustomerAsync();
        await (await customer.GetAsync("/api/admin/audit")).EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static async Task<List<JsonElement>> ReadAllAsync(HttpClient admin, string url)
    {
        var all = new List<JsonElement>();
        string? token = null;
        for (var page = 0; page < 50; page++)
        {
            var next = token is null ? url : $"{url}&continuationToken={Uri.EscapeDataString(token)}";
            var body = await (await (await admin.GetAsync(next)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            all.AddRange(body.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            token = body.TryGetProperty("continuationToken", out var t) ? t.GetString() : null;
            if (token is null)
            {
                return all;
            }
        }

        throw new Xunit.Sdk.XunitException("The audit log kept paging.");
    }
}
