using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// Durable means durable: the local host is killed with kill -9 while an order waits for its worker to accept. After the
/// restart the offer still expires (the durable timer is in the task hub on Azurite), the order goes to the next worker,
/// and it is served and confirmed; no order is left without a healthy orchestration.
/// </summary>
public sealed class LocalOrchestrationRestartTests() : OwnStackTest("hs-orch-restart-")
{
    [Fact]
    public async Task Kill_9_while_an_order_waits_for_acceptance_the_offer_still_expires_to_the_next_worker_and_the_order_completes()
    {
        string orderId, first, customerToken, adminToken;
        await using (var host = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(Stack, Data)))
        {
            using var api = host.Client();
            adminToken = await LocalProcessApi.AdminTokenAsync(api);
            using var admin = await LocalProcessApi.SignedInAsync(api, adminToken);
            await LocalProcessApi.SetLifecycleAsync(admin, "acceptanceTimeoutMinutes", 1);

            customerToken = (await LocalProcessApi.LoginAsync(api, "orch-restart")).GetProperty("accessToken").GetString()!;
            using var customer = await LocalProcessApi.SignedInAsync(api, customerToken);
            var addressId = (await (await (await customer.PostAsJsonAsync("/api/customer/addresses", LocalProcessApi.Address))
                .EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync()).GetProperty("id").GetString()!;
            // A time two demo workers can serve, so there is a next one to offer it to.
            var slot = (await LocalProcessApi.SlotsAsync(customer, addressId)).First(s => s.Workers >= 2);
            var order = await LocalProcessApi.BookAsync(customer, addressId, slot.Start);
            orderId = order.GetProperty("id").GetString()!;
            await LocalProcessApi.PayAsync(api, customer, orderId);

            var offered = await Wait.UntilAsync(async () =>
            {
                var o = await (await admin.GetAsync($"/api/admin/orders?status=offered&pageSize=50")).ReadJsonAsync();
                return o.GetProperty("items").EnumerateArray().FirstOrDefault(i => i.GetProperty("id").GetString() == orderId) is { ValueKind: System.Text.Json.JsonValueKind.Object } item
                    ? item.GetProperty("offeredToWorkerId").GetString()
                    : null;
            }, TimeSpan.FromSeconds(30));
            first = offered ?? throw new Xunit.Sdk.XunitException($"order {orderId} was never offered");
            await host.KillAsync();
        }

        await using (var restarted = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(Stack, Data)))
        {
            using var api = restarted.Client();
            using var admin = await LocalProcessApi.SignedInAsync(api, adminToken);
            using var customer = await LocalProcessApi.SignedInAsync(api, customerToken);

            // The acceptance timeout (one minute after the offer) passes while the host is down or starting: the order moves on.
            var next = await Wait.UntilAsync(async () =>
            {
                var o = await (await admin.GetAsync($"/api/admin/orders?status=offered&pageSize=50")).ReadJsonAsync();
                return o.GetProperty("items").EnumerateArray().FirstOrDefault(i => i.GetProperty("id").GetString() == orderId) is { ValueKind: System.Text.Json.JsonValueKind.Object } item &&
                       item.GetProperty("offeredToWorkerId").GetString() is { } w && w != first
                    ? w
                    : null;
            }, TimeSpan.FromSeconds(150));
            Assert.NotNull(next);

            using var worker = await LocalProcessApi.SignedInAsync(api, TokenFor(next));
            await (await worker.PostAsync($"/api/worker/orders/{orderId}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
            // The process runs on the real clock and the slot is a day or more away: customer service lets the visit happen now.
            await (await admin.PostAsJsonAsync($"/api/admin/orders/{orderId}/visit-exemption", new { reason = "客户来电要求提前上门" })).EnsureStatusAsync(HttpStatusCode.OK);
            await (await worker.PostAsJsonAsync($"/api/worker/orders/{orderId}/on-the-way", new { latitude = 31.2404, longitude = 121.4737 })).EnsureStatusAsync(HttpStatusCode.OK);
            await (await worker.PostAsJsonAsync($"/api/worker/orders/{orderId}/arrived", LocalProcessApi.Door)).EnsureStatusAsync(HttpStatusCode.OK);
            await (await worker.PostAsJsonAsync($"/api/worker/orders/{orderId}/start", LocalProcessApi.Door)).EnsureStatusAsync(HttpStatusCode.OK);
            var photo = await UploadFiles.UploadAsync(worker, "completion-photo");
            await (await worker.PostAsJsonAsync($"/api/worker/orders/{orderId}/complete",
                    new { photoUploadIds = new[] { photo }, notes = "全屋已清洁", latitude = LocalProcessApi.Door.Latitude, longitude = LocalProcessApi.Door.Longitude }))
                .EnsureStatusAsync(HttpStatusCode.OK);
            await (await customer.PostAsync($"/api/customer/orders/{orderId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
            Assert.Equal("confirmed", await LocalProcessApi.StatusAsync(customer, orderId));

            // Its orchestration has caught up with all of it and waits for the complaint window; nothing is stuck.
            System.Text.Json.JsonElement last = default;
            var caughtUp = await Wait.UntilAsync(async () =>
            {
                last = await LocalProcessApi.LifecycleAsync(admin, orderId);
                return last.TryGetProperty("orchestration", out var orchestration) && orchestration.TryGetProperty("status", out var status) &&
                       status.GetProperty("phase").GetString() == "waiting" && status.GetProperty("handled").GetInt32() == last.GetProperty("events").GetInt32()
                    ? (bool?)true
                    : null;
            }, TimeSpan.FromSeconds(30));
            Assert.True(caughtUp, $"the orchestration did not catch up: {last}");
            Assert.False(last.TryGetProperty("problem", out _), $"a problem is reported: {last}");
            Assert.Equal("Running", last.GetProperty("orchestration").GetProperty("runtimeStatus").GetString());
        }
    }

    /// <summary>The demo workers have no login of their own: a token signed with the local key, as the app would issue them.</summary>
    private string TokenFor(string workerId)
    {
        var tokens = new TokenService(Options.Create(new AuthOptions { SigningKeyFile = Path.Combine(Data, "jwt-signing-key") }), TimeProvider.System,
            new HostingEnvironment { EnvironmentName = "Development" }, NullLogger<TokenService>.Instance);
        return tokens.Issue(new UserDocument { Id = workerId, Roles = [Roles.Customer, Roles.Worker], CreatedAt = DateTimeOffset.UtcNow }).AccessToken;
    }
}
