using HomeService.Functions.Auth;
using HomeService.LocalHost;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// The local host in-process (WebApplicationFactory over HomeService.LocalHost: the app's services, its HTTP
/// function and its trigger functions) against the real local emulators, with its own Cosmos database so test
/// classes don't see each other's data. Timers and queue polling are off unless a test factory turns them on;
/// tests run trigger functions through <see cref="Functions"/>.
/// </summary>
public class ApiFactory : WebApplicationFactory<LocalHost.Program>
{
    public const string AdminPhone = "13900000001";

    public ApiFactory()
        : this(null)
    {
    }

    /// <param name="databaseName">Reuse another host's database (and queues): a "restart" of that host.</param>
    protected ApiFactory(string? databaseName) => DatabaseName = databaseName ?? $"hs-test-{Guid.NewGuid():N}";

    public string DatabaseName { get; }

    /// <summary>Extra settings a derived factory adds (e.g. turning standalone triggers on).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var stack = LocalStack.Instance;
        builder.UseEnvironment("Development");
        var settings = new Dictionary<string, string?>
        {
            ["Cosmos:Endpoint"] = stack.CosmosEndpoint,
            ["Cosmos:Key"] = stack.CosmosKey,
            ["Cosmos:Database"] = DatabaseName,
            ["Cosmos:CreateIfNotExists"] = "true",
            ["Cosmos:LocalServer"] = "true",
            ["Storage:ConnectionString"] = stack.StorageConnectionString,
            // Each test host its own queues: one host's pollers never take another's messages.
            ["Storage:QueuePrefix"] = $"t{DatabaseName[^8..]}-",
            ["LocalHost:RunTimers"] = "false",
            ["LocalHost:PollQueues"] = "false",
            // Each test host its own task hub, with one partition polled often.
            ["LocalHost:Durable:TaskHub"] = $"t{DatabaseName[^8..]}",
            ["LocalHost:Durable:PartitionCount"] = "1",
            ["LocalHost:Durable:MaxQueuePollingInterval"] = "00:00:00.200",
            ["Hosting:CreateQueues"] = "true",
            ["Auth:Sms:Provider"] = "Sandbox",
            ["Auth:WeChat:Provider"] = "Sandbox",
            ["Auth:BootstrapAdminPhones:0"] = AdminPhone,
            ["Auth:RequestsPerMinutePerClient"] = "100000",
            ["Seed:Demo"] = "false",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>());
        builder.ConfigureTestServices(ConfigureTestServices);
    }

    public System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<TokenResponse>>> PhoneTokens { get; } = new();

    public SandboxSmsSender Sms => Services.GetRequiredService<SandboxSmsSender>();

    /// <summary>Runs timer and queue functions as the local host does (and as the worker would).</summary>
    public LocalFunctionInvoker Functions => Services.GetRequiredService<LocalFunctionInvoker>();

    /// <summary>The order orchestrations of this host's task hub.</summary>
    public Orchestrations Orchestrations => new(Services);
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
