using System.Net;
using System.Net.Http.Json;
using System.Text;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Http;

/// <summary>Every failure is an RFC 9457 ProblemDetails naming what is wrong, in en or zh-CN.</summary>
[Collection(ApiCollection.Name)]
public sealed class ProblemDetailsTests(ApiFactory factory)
{
    [Fact]
    public async Task Malformed_json_is_a_400_problem_naming_the_body()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/api/auth/sms/send", new StringContent("{\"phone\":", Encoding.UTF8, "application/json"));

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("malformed_json", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
    }

    [Theory]
    [InlineData("pageSize=abc", "pageSize", "invalid_number")]
    [InlineData("pageSize=1.5", "pageSize", "invalid_number")]
    [InlineData("pageSize=99999999999", "pageSize", "invalid_number")]
    public async Task A_query_parameter_that_does_not_bind_is_named_not_taken_for_the_body(string query, string field, string code)
    {
        var client = await factory.NewCustomerAsync();

        var response = await client.GetAsync($"/api/customer/favorites?{query}");

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.Equal(code, problem.GetProperty("fieldCodes").GetProperty(field)[0].GetString());
        Assert.False(problem.GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Two_query_parameters_that_do_not_bind_are_both_named()
    {
        var response = await factory.CreateClient().GetAsync("/api/catalog/cities/any-city/items?minPrice=cheap&pageSize=ten&maxPrice=100");

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var codes = (await response.ReadJsonAsync()).GetProperty("fieldCodes");
        Assert.Equal("invalid_number", codes.GetProperty("minPrice")[0].GetString());
        Assert.Equal("invalid_number", codes.GetProperty("pageSize")[0].GetString());
        Assert.False(codes.TryGetProperty("maxPrice", out _));
    }

    [Fact]
    public async Task A_field_of_the_wrong_json_type_is_named_in_the_problem()
    {
        var client = await factory.NewCustomerAsync();

        var response = await client.PostAsync("/api/customer/addresses",
            new StringContent("""{"contactName":"张三","contactPhone":"13812345678","cityId":"x","detail":"d","latitude":"north","longitude":121.4}""", Encoding.UTF8, "application/json"));

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("latitude", out _));
    }

    [Fact]
    public async Task Invalid_fields_are_all_listed_with_messages_in_the_requested_language()
    {
        var client = await factory.NewCustomerAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/addresses")
        {
            Content = JsonContent.Create(new { contactName = "", contactPhone = "12", cityId = "", detail = "", latitude = 91, longitude = -181 }),
        };
        request.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.5");

        var response = await client.SendAsync(request);

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("zh-CN", response.Content.Headers.ContentLanguage.Single());
        var problem = await response.ReadJsonAsync();
        Assert.Equal("一个或多个字段无效。", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "contactName", "contactPhone", "cityId", "detail", "latitude", "longitude" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} should be named");
        }

        Assert.Equal("必须在 -90 到 90 之间。", errors.GetProperty("latitude")[0].GetString());
    }

    [Fact]
    public async Task Unknown_routes_are_a_404_problem_in_english_by_default()
    {
        var response = await factory.CreateClient().GetAsync("/api/no/such/thing");

        await response.EnsureStatusAsync(HttpStatusCode.NotFound);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("route_not_found", problem.GetProperty("code").GetString());
        Assert.Equal("No such endpoint.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        var response = await factory.CreateClient().DeleteAsync("/api/health");

        await response.EnsureStatusAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("method_not_allowed", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_non_json_body_is_a_415_problem()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync("/api/auth/sms/send", new StringContent("phone=138", Encoding.UTF8, "text/plain"));

        await response.EnsureStatusAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("unsupported_media_type", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Missing_token_is_401_and_wrong_role_is_403_both_as_problems()
    {
        var anonymous = await factory.CreateClient().GetAsync("/api/customer/addresses");
        await anonymous.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("unauthorized", (await anonymous.ReadJsonAsync()).GetProperty("code").GetString());

        var admin = await factory.AdminAsync();
        var customer = await factory.NewCustomerAsync();
        var customerId = (await (await customer.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString();
        var forbidden = await customer.GetAsync($"/api/admin/users/{customerId}");
        await forbidden.EnsureStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", (await forbidden.ReadJsonAsync()).GetProperty("code").GetString());
        await (await admin.GetAsync($"/api/admin/users/{customerId}")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stale_or_foreign_if_match_is_412_a_weak_one_400_and_a_missing_one_428()
    {
        var client = await factory.NewCustomerAsync();
        var me = await client.GetAsync("/api/me");
        var etag = me.Headers.ETag!.Tag;

        var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me") { Content = JsonContent.Create(new { nickname = "小王" }) }.WithIfMatch(etag));
        await first.EnsureStatusAsync(HttpStatusCode.OK);
        var stale = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me") { Content = JsonContent.Create(new { nickname = "老王" }) }.WithIfMatch(etag));
        await stale.EnsureStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("precondition_failed", (await stale.ReadJsonAsync()).GetProperty("code").GetString());
        var missing = await client.PutAsJsonAsync("/api/me", new { nickname = "老王" });
        await missing.EnsureStatusAsync(HttpStatusCode.PreconditionRequired);
        // Well-formed tags this server never issued cannot match either (one decodes to bytes, the other is not base64url).
        foreach (var foreign in new[] { "\"not-an-etag\"", "\"%%%\"" })
        {
            var forged = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me") { Content = JsonContent.Create(new { nickname = "老王" }) }.WithIfMatch(foreign));
            await forged.EnsureStatusAsync(HttpStatusCode.PreconditionFailed);
        }

        var weak = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me") { Content = JsonContent.Create(new { nickname = "老王" }) }.WithIfMatch("W/" + etag));
        Assert.Equal("invalid_etag", (await (await weak.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).GetProperty("fieldCodes").GetProperty("If-Match")[0].GetString());

        var after = await (await client.GetAsync("/api/me")).ReadJsonAsync();
        Assert.Equal("小王", after.GetProperty("nickname").GetString());
    }
}
