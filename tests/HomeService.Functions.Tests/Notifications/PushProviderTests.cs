using System.Net;
using System.Text;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using Microsoft.Azure.Cosmos;
using HomeService.Functions.Notifications;
using HomeService.Functions.Tests.Payments;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace HomeService.Functions.Tests.Notifications;

/// <summary>Reads what the message center queued for push, as the push function would receive it.</summary>
public static class PushQueue
{
    /// <summary>Takes every queued push (hiding it for the visibility timeout) and returns the bodies for <paramref name="orderId"/>.</summary>
    public static async Task<IReadOnlyList<string>> TakeAsync(ApiFactory factory, string orderId)
    {
        var queue = factory.Services.GetRequiredService<StorageClients>().Queue(PushFunction.QueueName);
        var bodies = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return bodies.Where(b => b.Contains(orderId, StringComparison.Ordinal)).ToList();
            }

            bodies.AddRange(batch.Select(m => m.Body.ToString()));
        }
    }

    /// <summary>Delivers a push message to the push function as the queue listener does; answers whether the invocation succeeded.</summary>
    public static async Task<bool> InvokeAsync(ApiFactory host, string body, int dequeueCount)
    {
        var message = Azure.Storage.Queues.Models.QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop", BinaryData.FromString(body), dequeueCount);
        return (await host.Functions.InvokeQueueAsync(PushFunction.Name, message, maxDequeueCount: 5, CancellationToken.None)).Succeeded;
    }
}

/// <summary>The app with a push channel that fails once (Moq), to show what a failing push does and does not repeat.</summary>
public sealed class FlakyPushFactory : ApiFactory
{
    public Mock<IPushSender> Push { get; } = new();

    public FlakyPushFactory() =>
        Push.SetupSequence(p => p.SendAsync(It.IsAny<PushMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new WeChatPushException(45009, "reach max api daily quota limit"))
            .Returns(Task.CompletedTask);

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.RemoveAll<IPushSender>();
        services.AddSingleton(Push.Object);
    }
}

public sealed class PushQueueTests(FlakyPushFactory factory) : IClassFixture<FlakyPushFactory>
{
    [Fact]
    public async Task A_failing_push_is_retried_from_its_own_queue_and_never_reposts_the_message()
    {
        var center = factory.Services.GetRequiredService<MessageCenter>();
        var userId = Guid.NewGuid().ToString("N");
        var orderId = Guid.NewGuid().ToString("N");

        // Posting succeeds whatever the channel does: the push is only queued.
        await center.PostAsync(userId, $"{orderId}:1", "order", "order.offered", orderId, CancellationToken.None);
        factory.Push.Verify(p => p.SendAsync(It.IsAny<PushMessage>(), It.IsAny<CancellationToken>()), Times.Never);
        var queued = Assert.Single(await PushQueue.TakeAsync(factory, orderId));

        Assert.False(await PushQueue.InvokeAsync(factory, queued, dequeueCount: 1));
        Assert.True(await PushQueue.InvokeAsync(factory, queued, dequeueCount: 2));
        factory.Push.Verify(p => p.SendAsync(new PushMessage(userId, "order.offered", orderId), It.IsAny<CancellationToken>()), Times.Exactly(2));

        // The event that posted it, redelivered: no second message, no second push.
        await center.PostAsync(userId, $"{orderId}:1", "order", "order.offered", orderId, CancellationToken.None);
        Assert.Empty(await PushQueue.TakeAsync(factory, orderId));
        var page = await center.ListAsync(userId, unreadOnly: false, continuationToken: null, pageSize: 10, CancellationToken.None);
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task A_push_whose_queueing_died_after_the_post_is_queued_by_the_redelivery_and_only_once()
    {
        var center = factory.Services.GetRequiredService<MessageCenter>();
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var userId = Guid.NewGuid().ToString("N");
        var orderId = Guid.NewGuid().ToString("N");
        // What the first delivery left when it died between the post and the queueing.
        await db.Messages.CreateItemAsync(new MessageDocument
        {
            Id = $"msg:{orderId}:1", UserId = userId, Category = "order", Key = "order.accepted", OrderId = orderId,
            CreatedAt = DateTimeOffset.UtcNow, PushPending = true,
        }, new PartitionKey(userId));

        await center.PostAsync(userId, $"{orderId}:1", "order", "order.accepted", orderId, CancellationToken.None);
        await center.PostAsync(userId, $"{orderId}:1", "order", "order.accepted", orderId, CancellationToken.None);

        Assert.Single(await PushQueue.TakeAsync(factory, orderId));
        var stored = (await db.Messages.ReadItemAsync<MessageDocument>($"msg:{orderId}:1", new PartitionKey(userId))).Resource;
        Assert.False(stored.PushPending);
    }
}

/// <summary>How the push provider is chosen from configuration, and what a deployment refuses (no emulators needed).</summary>
public sealed class PushProviderStartupTests
{
    private static string StartupFailure(string environment, params (string Key, string? Value)[] settings) =>
        PaymentsAppFactory.StartupFailure(environment, settings);

    /// <summary>A Development host with only <paramref name="settings"/> on top of the factory's defaults.</summary>
    private static PaymentsAppFactory Development(params (string Key, string? Value)[] settings) =>
        new("Development", settings.ToDictionary(s => s.Key, s => s.Value));

    [Fact]
    public void Sandbox_push_is_refused_outside_development()
    {
        var failure = StartupFailure("Production", ("Notifications:Push:Provider", "Sandbox"));

        Assert.Contains("Notifications:Push:Provider=Sandbox is a local sandbox and is refused outside Development", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_configured_wechat_push_refuses_to_start_saying_what_is_missing()
    {
        var failure = StartupFailure("Development", ("Notifications:Push:Provider", "WeChat"));

        Assert.Contains("Notifications:Push:Provider=WeChat is not fully configured", failure, StringComparison.Ordinal);
        Assert.Contains("Auth:WeChat:AppId and Auth:WeChat:AppSecret are required", failure, StringComparison.Ordinal);
        Assert.Contains("Notifications:Push:WeChat:Templates needs at least one", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Wechat_push_refuses_templates_for_unknown_keys_without_ids_or_with_unknown_field_sources()
    {
        var failure = StartupFailure("Development",
            ("Notifications:Push:Provider", "WeChat"),
            ("Auth:WeChat:AppId", "wx8888888888888888"),
            ("Auth:WeChat:AppSecret", "secret-for-tests"),
            ("Notifications:Push:WeChat:Templates:order.offerd:TemplateId", "TPL-1"),
            ("Notifications:Push:WeChat:Templates:order.paid:Page", "pages/order?id={orderId}"),
            ("Notifications:Push:WeChat:Templates:order.accepted:TemplateId", "TPL-2"),
            ("Notifications:Push:WeChat:Templates:order.accepted:Fields:thing1", "workerName"));

        Assert.Contains("Templates:order.offerd is not a notification key", failure, StringComparison.Ordinal);
        Assert.Contains("Templates:order.paid:TemplateId is missing", failure, StringComparison.Ordinal);
        Assert.Contains("Templates:order.accepted:Fields:thing1 is 'workerName'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_push_provider_is_refused()
    {
        Assert.Contains("Unknown Notifications:Push:Provider 'Jpush'", StartupFailure("Development", ("Notifications:Push:Provider", "Jpush")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_defaults_to_the_sandbox_and_none_registers_no_channel()
    {
        await using (var sandbox = Development())
        {
            Assert.IsType<SandboxPushSender>(sandbox.Services.GetRequiredService<IPushSender>());
            Assert.NotNull(sandbox.Services.GetService<PushOutbox>());
        }

        await using var none = Development(("Notifications:Push:Provider", "None"));
        Assert.Null(none.Services.GetService<IPushSender>());
        Assert.Null(none.Services.GetService<PushOutbox>());
    }

    [Fact]
    public async Task Fully_configured_wechat_push_is_the_registered_channel()
    {
        await using var factory = Development(
            ("Notifications:Push:Provider", "WeChat"),
            ("Auth:WeChat:AppId", "wx8888888888888888"),
            ("Auth:WeChat:AppSecret", "secret-for-tests"),
            ("Notifications:Push:WeChat:Templates:order.offered:TemplateId", "TPL-1"));

        Assert.IsType<WeChatSubscribePushSender>(factory.Services.GetRequiredService<IPushSender>());
    }
}
