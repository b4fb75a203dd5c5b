using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// Local data survives (issue: local host): the local host is killed with kill -9 and started again, then the whole
/// stack is stopped and started again. The same login is the same user, tokens issued before still work, and orders,
/// addresses, uploads, payments and the ledger are all there; a deadline pending at the kill is still acted on.
/// </summary>
public sealed class LocalRestartTests : IAsyncLifetime
{
    private const string AdminPhone = "13800000077";
    private readonly string _data = Directory.CreateTempSubdirectory("hs-restart-").FullName;
    private StackProcess? _stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Kill_9_of_the_local_host_and_a_full_stop_lose_nothing_and_a_pending_deadline_still_fires()
    {
        _stack = await StackProcess.StartAsync(_data);
        string token, userId, addressId, unpaidId, paidId, uploadId, adminToken;
        int ledgerTransactions;
        DateTimeOffset unpaidDue;
        await using (var first = await LocalHostProcess.StartAsync(Settings(_stack)))
        {
            using var api = first.Client();
            // A one-minute payment deadline, so the restart below happens while it is pending.
            adminToken = await AdminTokenAsync(api);
            using var admin = await SignedInAsync(api, adminToken);
            await SetPaymentTimeoutAsync(admin, minutes: 1);

            var login = await LoginAsync(api, "restart-alice");
            (token, userId) = (login.GetProperty("accessToken").GetString()!, login.GetProperty("userId").GetString()!);
            using var alice = await SignedInAsync(api, token);
            addressId = (await (await (await alice.PostAsJsonAsync("/api/customer/addresses", Address)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync())
                .GetProperty("id").GetString()!;

            var slots = await SlotsAsync(alice, addressId);
            var unpaid = await BookAsync(alice, addressId, slots[0]);
            (unpaidId, unpaidDue) = (unpaid.GetProperty("id").GetString()!, unpaid.GetProperty("paymentDueAt").GetDateTimeOffset());
            paidId = (await BookAsync(alice, addressId, slots[^1])).GetProperty("id").GetString()!;
            var pay = await (await (await alice.PostAsync($"/api/customer/orders/{paidId}/pay", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            await (await api.PostAsync($"/api/dev/payments/{pay.GetProperty("paymentReference").GetString()}/succeed", null)).EnsureStatusAsync(HttpStatusCode.OK);
            Assert.NotEqual("pendingPayment", await StatusAsync(alice, paidId));

            var bytes = UploadFiles.Png();
            var ticket = await UploadFiles.StartAsync(alice, "avatar", "image/png", bytes.Length);
            uploadId = ticket.GetProperty("uploadId").GetString()!;
            await (await UploadFiles.PutAsync(ticket, bytes, "image/png")).EnsureStatusAsync(HttpStatusCode.Created);
            await (await alice.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);

            ledgerTransactions = (await LedgerAsync(admin)).GetProperty("transactions").GetInt32();
            Assert.True(ledgerTransactions > 0);
            Assert.Equal("pendingPayment", await StatusAsync(alice, unpaidId));
            Assert.True(DateTimeOffset.UtcNow < unpaidDue, "the payment deadline passed before the kill");
            await first.KillAsync();
        }

        await using (var second = await LocalHostProcess.StartAsync(Settings(_stack)))
        {
            using var api = second.Client();
            await AssertNothingLostAsync(api, token, adminToken, userId, addressId, paidId, uploadId, ledgerTransactions);

            // The deadline that was pending when the host died closes the unpaid order after the restart.
            using var alice = await SignedInAsync(api, token);
            var closed = await Wait.UntilAsync(async () => await StatusAsync(alice, unpaidId) == "closed" ? (bool?)true : null,
                unpaidDue - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60));
            Assert.True(closed, $"order {unpaidId} was not closed after its payment deadline {unpaidDue:O}");
        }

        // A full stop: the stack too (its final snapshot), then everything started again on the same data.
        await _stack.StopAsync();
        await _stack.DisposeAsync();
        _stack = await StackProcess.StartAsync(_data);
        await using (var third = await LocalHostProcess.StartAsync(Settings(_stack)))
        {
            using var api = third.Client();
            await AssertNothingLostAsync(api, token, adminToken, userId, addressId, paidId, uploadId, ledgerTransactions);
            using var alice = await SignedInAsync(api, token);
            Assert.Equal("closed", await StatusAsync(alice, unpaidId));
        }
    }

    private static async Task AssertNothingLostAsync(
        HttpClient api, string token, string adminToken, string userId, string addressId, string paidId, string uploadId, int ledgerTransactions)
    {
        // A token issued before the restart still works, and the same login is the same user.
        using var alice = await SignedInAsync(api, token);
        var me = await (await (await alice.GetAsync("/api/me")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(userId, me.GetProperty("id").GetString());
        Assert.Equal(userId, (await LoginAsync(api, "restart-alice")).GetProperty("userId").GetString());

        var addresses = await (await (await alice.GetAsync("/api/customer/addresses")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Contains(addresses.EnumerateArray(), a => a.GetProperty("id").GetString() == addressId);
        Assert.NotEqual("pendingPayment", await StatusAsync(alice, paidId));
        var upload = await (await (await alice.GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("confirmed", upload.GetProperty("status").GetString());
        await (await UploadFiles.Blob.GetAsync(upload.GetProperty("readUrl").GetString())).EnsureStatusAsync(HttpStatusCode.OK);

        using var admin = await SignedInAsync(api, adminToken);
        var ledger = await LedgerAsync(admin);
        Assert.True(ledger.GetProperty("transactions").GetInt32() >= ledgerTransactions);
        Assert.Equal(0, ledger.GetProperty("totalFen").GetInt64());
    }

    private static readonly object Address = new
    {
        contactName = "王女士", contactPhone = "13812345678", cityId = "shanghai", district = "静安区", detail = "南京西路 1 号",
        latitude = 31.2304, longitude = 121.4737,
    };

    private Dictionary<string, string> Settings(StackProcess stack) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Cosmos:Endpoint"] = stack.CosmosEndpoint,
        ["Cosmos:Key"] = stack.CosmosKey,
        ["Cosmos:CreateIfNotExists"] = "true",
        ["Cosmos:LocalServer"] = "true",
        ["Storage:ConnectionString"] = stack.StorageConnectionString,
        ["Hosting:CreateQueues"] = "true",
        ["Seed:Demo"] = "true",
        ["Money:PayoutProvider"] = "Sandbox",
        ["Auth:Sms:Provider"] = "Sandbox",
        ["Auth:WeChat:Provider"] = "Sandbox",
        ["Auth:BootstrapAdminPhones:0"] = AdminPhone,
        ["Auth:SigningKeyFile"] = Path.Combine(_data, "jwt-signing-key"),
        ["LocalHost:MaxPollingInterval"] = "00:00:00.500",
    };

    private static async Task<JsonElement> LoginAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/auth/wechat/login", new { code = $"test-{name}" });
        return await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
    }

    private static async Task<string> AdminTokenAsync(HttpClient api)
    {
        await (await api.PostAsJsonAsync("/api/auth/sms/send", new { phone = AdminPhone })).EnsureStatusAsync(HttpStatusCode.Accepted);
        var code = (await (await (await api.GetAsync($"/api/dev/sms/{AdminPhone}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
            .GetProperty("code").GetString();
        var login = await api.PostAsJsonAsync("/api/auth/sms/login", new { phone = AdminPhone, code });
        return (await (await login.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync()).GetProperty("accessToken").GetString()!;
    }

    private static Task<HttpClient> SignedInAsync(HttpClient api, string token)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = api.Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Task.FromResult(client);
    }

    private static async Task SetPaymentTimeoutAsync(HttpClient admin, int minutes)
    {
        var current = await (await admin.GetAsync("/api/admin/cities/shanghai/settings")).EnsureStatusAsync(HttpStatusCode.OK);
        var etag = current.Headers.ETag?.Tag;
        var settings = JsonNode.Parse(await current.Content.ReadAsStringAsync())!;
        settings["lifecycle"]!["paymentTimeoutMinutes"] = minutes;
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/cities/shanghai/settings") { Content = JsonContent.Create(settings) };
        if (etag is not null)
        {
            put.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        await (await admin.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    private static async Task<List<DateTimeOffset>> SlotsAsync(HttpClient customer, string addressId)
    {
        var from = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddDays(4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var availability = await (await (await customer.GetAsync($"/api/customer/availability?itemId=daily-cleaning-2h&addressId={addressId}&from={from}&to={to}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var slots = availability.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("start").GetDateTimeOffset()).ToList();
        Assert.True(slots.Count >= 2, "the demo city has fewer than two free slots");
        return slots;
    }

    private static async Task<JsonElement> BookAsync(HttpClient customer, string addressId, DateTimeOffset start)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders")
        {
            Content = JsonContent.Create(new { itemId = "daily-cleaning-2h", addressId, start }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return await (await (await customer.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
    }

    private static async Task<string> StatusAsync(HttpClient customer, string orderId) =>
        (await (await (await customer.GetAsync($"/api/customer/orders/{orderId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
        .GetProperty("status").GetString()!;

    private static async Task<JsonElement> LedgerAsync(HttpClient admin) =>
        await (await (await admin.GetAsync("/api/admin/ledger/check")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
}
