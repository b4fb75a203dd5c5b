using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.PaymentFlow;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Security;

/// <summary>
/// Issue 14 #15: the Development-only endpoints answered any caller. They answer callers on this machine only, and a
/// sandbox payment is completed (or failed) only by the order's customer, the payer of its prepay.
/// </summary>
[Collection(PaymentFlowCollection.Name)]
public sealed class DevelopmentEndpointTests(PaymentFlowFactory factory)
{
    private static HttpRequestMessage From(HttpMethod method, string url, string? remote = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (remote is not null) request.Headers.Add(TestClientAddress.Header, remote);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    [Fact]
    public async Task Sandbox_sms_codes_are_readable_from_this_machine_only()
    {
        var phone = "137" + Random.Shared.Next(10_000_000, 99_999_999);
        var client = factory.CreateClient();
        await (await client.PostAsJsonAsync("/api/auth/sms/send", new { phone })).EnsureStatusAsync(HttpStatusCode.Accepted);

        foreach (var (remote, forwarded) in new[] { ("203.0.113.7", (string?)null), ("127.0.0.1", "198.51.100.20"), ("::ffff:10.0.0.8", null) })
        {
            var refused = await client.SendAsync(From(HttpMethod.Get, $"/api/dev/sms/{phone}", remote, forwarded));
            var problem = await (await refused.EnsureStatusAsync(HttpStatusCode.NotFound)).ReadJsonAsync();
            Assert.Equal("route_not_found", problem.GetProperty("code").GetString());
            Assert.False(problem.TryGetProperty("phone", out _));
        }

        var local = await (await (await client.SendAsync(From(HttpMethod.Get, $"/api/dev/sms/{phone}", "::1"))).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(6, local.GetProperty("code").GetString()!.Length);
    }

    [Fact]
    public async Task Only_the_orders_customer_completes_its_sandbox_payment_and_only_from_this_machine()
    {
        var world = await PaymentFlowWorld.StartAsync(factory);
        var (_, customer, order) = await world.PaidOrderAsync(pay: false);
        var reference = (await PaymentFlowWorld.PayAsync(customer, order.Id)).PaymentReference;
        var url = $"/api/dev/payments/{reference}/succeed";

        await (await factory.CreateClient().PostAsync(url, null)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var stranger = await world.Booking.CustomerAsync();
        await (await stranger.Client.PostAsync(url, null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsync($"/api/dev/payments/{reference}/fail", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        var remote = From(HttpMethod.Post, url, "203.0.113.7");
        remote.Headers.Authorization = customer.Client.DefaultRequestHeaders.Authorization;
        await (await factory.CreateClient().SendAsync(remote)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await world.DeliverAsync(order.Id);
        Assert.Equal(OrderStatus.PendingPayment, (await world.OrderAsync(order.Id)).Status);

        await (await customer.Client.PostAsync(url, null)).EnsureStatusAsync(HttpStatusCode.OK);
        await world.DeliverAsync(order.Id);
        Assert.NotEqual(OrderStatus.PendingPayment, (await world.OrderAsync(order.Id)).Status);
    }
}
