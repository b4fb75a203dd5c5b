using System.Net;
using HomeService.Functions.Tests.Payments;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Http;

/// <summary>
/// When the database cannot be reached at all (connection refused: the Cosmos endpoint of this host is a closed port), a call
/// that needs it answers 503 service_unavailable as a problem in the caller's language, not a 500.
/// </summary>
public sealed class UnreachableDependencyTests
{
    [Fact]
    public async Task A_database_that_refuses_connections_is_a_503_problem_not_a_500()
    {
        await using var factory = new PaymentsAppFactory();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        var response = await client.GetAsync("/api/catalog/cities");

        var problem = await (await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable)).ReadJsonAsync();
        Assert.Equal("service_unavailable", problem.GetProperty("code").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("所需服务暂不可用，请稍后再试。", problem.GetProperty("title").GetString());
    }
}
