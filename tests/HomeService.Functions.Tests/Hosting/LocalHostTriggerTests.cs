using System.Net;
using System.Text.Json;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>The local host's timers on a fake clock: the heartbeat fires on its NCRONTAB schedule and nowhere else.</summary>
public sealed class LocalTimerFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 10, 0, 30, TimeSpan.Zero));

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["LocalHost:RunTimers"] = "true",
        ["LocalHost:PollQueues"] = "false",
    };

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>The local host's queue polling on real time (Azurite's visibility timeouts are real), with a quick retry.</summary>
public sealed class LocalQueueFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["LocalHost:RunTimers"] = "false",
        ["LocalHost:PollQueues"] = "true",
        ["LocalHost:MaxDequeueCount"] = "2",
        ["LocalHost:VisibilityTimeout"] = "00:00:01",
        ["LocalHost:MaxPollingInterval"] = "00:00:00.200",
    };
}

public sealed class LocalTimerTests(LocalTimerFactory factory) : IClassFixture<LocalTimerFactory>
{
    [Fact]
    public async Task Heartbeat_timer_fires_on_its_schedule_when_the_clock_reaches_it()
    {
        var client = factory.CreateClient();
        Assert.Null(await LastRunAsync());

        // Schedule "0 */5 * * * *": from 10:00:30 the next run is 10:05:00. Just short of it nothing runs.
        factory.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Null(await LastRunAsync());

        DateTimeOffset? lastRun = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (lastRun is null && DateTime.UtcNow < deadline)
        {
            // The timer loop may not have reached its delay yet; nudge the fake clock until it fires.
            factory.Clock.Advance(TimeSpan.FromSeconds(30));
            lastRun = await Wait.UntilAsync(LastRunAsync, TimeSpan.FromMilliseconds(500));
        }

        Assert.NotNull(lastRun);
        Assert.True(lastRun >= new DateTimeOffset(2026, 11, 23, 10, 5, 0, TimeSpan.Zero));
        var health = await (await client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal(lastRun, health.GetProperty("heartbeat").GetProperty("lastRunAt").GetDateTimeOffset());
    }

    private async Task<DateTimeOffset?> LastRunAsync()
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var doc = await db.System.ReadOrNullAsync<Health.HeartbeatDocument>("heartbeat", "heartbeat", CancellationToken.None);
        return doc?.Resource.LastRunAt;
    }
}

public sealed class LocalQueueTests(LocalQueueFactory factory) : IClassFixture<LocalQueueFactory>
{
    [Fact]
    public async Task A_queued_message_is_processed_by_its_queue_function()
    {
        _ = factory.CreateClient();
        var storage = factory.Services.GetRequiredService<StorageClients>();
        var userId = Guid.NewGuid().ToString("N");

        await BrowsingHistory.EnqueueAsync(storage, new BrowsingHistoryMessage(userId, "item-42", DateTimeOffset.UtcNow), CancellationToken.None);

        var recorded = await Wait.UntilAsync(async () => (await HistoryAsync(userId)).Count > 0 ? true : (bool?)null, TimeSpan.FromSeconds(20));
        Assert.True(recorded);
        Assert.Equal("item-42", Assert.Single(await HistoryAsync(userId)).GetProperty("itemId").GetString());
    }

    [Fact]
    public async Task A_message_that_fails_max_dequeue_count_times_moves_to_the_poison_queue()
    {
        _ = factory.CreateClient();
        var storage = factory.Services.GetRequiredService<StorageClients>();
        var marker = $"poison-{Guid.NewGuid():N}";

        await storage.Queue(BrowsingHistory.QueueName).SendMessageAsync($"{{\"broken\":\"{marker}\"}}");

        var poisoned = await Wait.UntilAsync(async () =>
        {
            var peeked = await storage.Queue(BrowsingHistory.QueueName + "-poison").PeekMessagesAsync(32);
            return peeked.Value.Any(m => m.Body.ToString().Contains(marker, StringComparison.Ordinal)) ? true : (bool?)null;
        }, TimeSpan.FromSeconds(30));
        Assert.True(poisoned);

        var stillQueued = await storage.Queue(BrowsingHistory.QueueName).PeekMessagesAsync(32);
        Assert.DoesNotContain(stillQueued.Value, m => m.Body.ToString().Contains(marker, StringComparison.Ordinal));
    }

    private async Task<List<JsonElement>> HistoryAsync(string userId)
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        return await db.Profiles.QueryAllAsync<JsonElement>(
            new QueryDefinition("SELECT * FROM c WHERE c.userId = @u AND c.type = 'history'").WithParameter("@u", userId), userId, CancellationToken.None);
    }
}
