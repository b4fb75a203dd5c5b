using System.Net;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Workers;

namespace HomeService.Functions.Tests.Http;

/// <summary>One page-size rule for every list (issue 14 #13: admin lists refused pageSize=100 while others took it).</summary>
[Collection(ApiCollection.Name)]
public sealed class PagingRuleTests(ApiFactory factory)
{
    public static TheoryData<string> AdminLists =>
    [
        "/api/admin/orders", "/api/admin/alerts", "/api/admin/workers?status=approved", "/api/admin/workers/changes",
        "/api/admin/merchants?status=submitted", "/api/admin/withdrawals?status=requested", "/api/admin/audit",
    ];

    public static TheoryData<string> CustomerLists => ["/api/customer/orders", "/api/messages", "/api/customer/favorites?kind=item"];

    private static string WithPageSize(string url, int size) => url + (url.Contains('?') ? '&' : '?') + $"pageSize={size}";

    private static async Task AssertRuleAsync(HttpClient client, string url)
    {
        await (await client.GetAsync(WithPageSize(url, 100))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await client.GetAsync(WithPageSize(url, 1))).EnsureStatusAsync(HttpStatusCode.OK);
        foreach (var size in new[] { 0, 101 })
        {
            var problem = await (await (await client.GetAsync(WithPageSize(url, size))).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
            Assert.Equal(["out_of_range"], problem.FieldCodes("pageSize"));
        }
    }

    [Theory]
    [MemberData(nameof(AdminLists))]
    public async Task Admin_lists_take_1_to_100(string url) => await AssertRuleAsync(await factory.AdminAsync(), url);

    [Theory]
    [MemberData(nameof(CustomerLists))]
    public async Task Customer_lists_take_1_to_100(string url) => await AssertRuleAsync(await factory.NewCustomerAsync(), url);

    [Fact]
    public async Task Worker_lists_take_1_to_100()
    {
        var worker = await factory.RegisteredWorkerAsync();
        await AssertRuleAsync(worker.Client, "/api/worker/orders");
        await AssertRuleAsync(worker.Client, "/api/worker/statement");
    }
}
