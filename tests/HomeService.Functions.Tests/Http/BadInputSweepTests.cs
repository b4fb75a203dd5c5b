using System.Net;
using System.Net.Http.Headers;
using HomeService.Functions.Auth;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Http;

/// <summary>
/// "No 500 for any bad input", checked over the whole API rather than route by route (<see cref="BadInputSweep"/>):
/// here by a user holding every role, so requests get past authorization into binding and validation, with ids
/// that name nothing. Each answer must be below 500 and, when it is an error, a ProblemDetails document.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputSweepTests(ApiFactory factory)
{
    [Fact]
    public async Task No_endpoint_answers_a_server_error_to_unknown_ids_junk_bodies_queries_or_if_match()
    {
        var client = await EveryRoleClientAsync();

        var failures = new List<string>();
        var calls = 0;
        // Ids no document has, including ones Cosmos cannot store (too long, '/', '#', '?', '\\') and quotes.
        foreach (var id in new[] { "zz-missing-1", new string('x', 300), "a/b", "a#b?c", "a\\b", "it's \"quoted\"", "中文-标识", " ", ".." })
        {
            var (n, found) = await BadInputSweep.RunAsync(factory.Services, _ => client, (_, _) => id, junkBodies: id == "zz-missing-1");
            calls += n;
            failures.AddRange(found);
        }

        Assert.True(calls > 800, $"only {calls} calls made");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    private async Task<HttpClient> EveryRoleClientAsync()
    {
        var users = factory.Services.GetRequiredService<UserAccounts>();
        var user = await users.LoginByPhoneAsync("+8613900009999", CancellationToken.None);
        foreach (var role in Roles.All)
        {
            user = await users.GrantRoleAsync(user.Id, role, CancellationToken.None);
        }

        var client = factory.CreateClient();
        var token = factory.Services.GetRequiredService<TokenService>().Issue(user);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        // A registered worker, so the caller's own worker routes get past "not found" into validation.
        await (await client.PostAsync("/api/worker/registration", null)).EnsureStatusAsync(HttpStatusCode.Created);
        return client;
    }
}
