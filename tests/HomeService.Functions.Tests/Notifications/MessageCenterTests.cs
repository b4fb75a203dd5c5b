using System.Net;
using HomeService.Functions.Notifications;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Notifications;

[Collection(ApiCollection.Name)]
public sealed class MessageCenterTests(ApiFactory factory)
{
    private static async Task<string> MeAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString()!;

    [Fact]
    public async Task Messages_are_posted_once_per_cause_listed_newest_first_and_marked_read()
    {
        var client = await factory.NewCustomerAsync();
        var me = await MeAsync(client);
        var center = factory.Services.GetRequiredService<MessageCenter>();
        var orderId = Guid.NewGuid().ToString("N");

        await center.PostAsync(me, $"{orderId}:1", "order", "order.placed", orderId, CancellationToken.None);
        await center.PostAsync(me, $"{orderId}:2", "order", "order.paid", orderId, CancellationToken.None);
        await center.PostAsync(me, $"{orderId}:2", "order", "order.paid", orderId, CancellationToken.None); // redelivery

        Assert.Equal(2, (await (await client.GetAsync("/api/messages/unread-count")).ReadJsonAsync()).GetProperty("count").GetInt32());
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/messages");
        request.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var page = await (await client.SendAsync(request)).ReadJsonAsync();
        var items = page.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["order.paid", "order.placed"], items.Select(i => i.GetProperty("key").GetString()!).ToArray());
        Assert.Equal("支付成功，正在为您安排师傅", items[0].GetProperty("title").GetString());

        await (await client.PostAsync($"/api/messages/{items[0].GetProperty("id").GetString()}/read", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(1, (await (await client.GetAsync("/api/messages/unread-count")).ReadJsonAsync()).GetProperty("count").GetInt32());
        var unread = await (await client.GetAsync("/api/messages?unreadOnly=true")).ReadJsonAsync();
        Assert.Equal("order.placed", Assert.Single(unread.GetProperty("items").EnumerateArray()).GetProperty("key").GetString());

        var after = await (await client.PostAsync("/api/messages/read-all", null)).ReadJsonAsync();
        Assert.Equal(0, after.GetProperty("count").GetInt32());

        // Each new message was queued for push once; the push function hands it to the (sandbox) channel.
        var pushes = await PushQueue.TakeAsync(factory, orderId);
        Assert.Equal(2, pushes.Count);
        foreach (var push in pushes)
        {
            Assert.True(await PushQueue.InvokeAsync(factory, push, dequeueCount: 1));
        }

        var sandbox = factory.Services.GetRequiredService<SandboxPushSender>();
        Assert.Equal(2, sandbox.Sent.Count(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task Nobody_reads_or_marks_another_users_messages()
    {
        var owner = await factory.NewCustomerAsync();
        var other = await factory.NewCustomerAsync();
        var ownerId = await MeAsync(owner);
        var center = factory.Services.GetRequiredService<MessageCenter>();
        await center.PostAsync(ownerId, Guid.NewGuid().ToString("N"), "order", "order.placed", null, CancellationToken.None);
        var id = (await (await owner.GetAsync("/api/messages")).ReadJsonAsync()).GetProperty("items")[0].GetProperty("id").GetString();

        await (await other.PostAsync($"/api/messages/{id}/read", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await other.GetAsync("/api/messages")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(1, (await (await owner.GetAsync("/api/messages/unread-count")).ReadJsonAsync()).GetProperty("count").GetInt32());
        await (await factory.CreateClient().GetAsync("/api/messages")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
