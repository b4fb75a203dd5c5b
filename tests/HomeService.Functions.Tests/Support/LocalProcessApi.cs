using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeService.Domain.Common;

namespace HomeService.Functions.Tests.Support;

/// <summary>Acting on a local host process (<see cref="LocalHostProcess"/>) over HTTP only, as its users would.</summary>
public static class LocalProcessApi
{
    public const string AdminPhone = "13800000077";

    public static readonly object Address = new
    {
        contactName = "王女士", contactPhone = "13812345678", cityId = "shanghai", district = "静安区", detail = "南京西路 1 号",
        latitude = 31.2304, longitude = 121.4737,
    };

    /// <summary>Where <see cref="Address"/> is: a worker reports the visit from there.</summary>
    public static readonly GeoPoint Door = new(31.2304, 121.4737);

    /// <summary>What run.sh sets, with the stack's endpoints and the signing key kept in <paramref name="data"/>.</summary>
    public static Dictionary<string, string> Settings(StackProcess stack, string data) => new()
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
        ["Auth:SigningKeyFile"] = Path.Combine(data, "jwt-signing-key"),
        ["Payments:Sandbox:KeyFile"] = Path.Combine(data, "wechatpay-sandbox-keys.json"),
        ["LocalHost:MaxPollingInterval"] = "00:00:00.500",
        ["LocalHost:Durable:MaxQueuePollingInterval"] = "00:00:00.500",
    };

    public static async Task<JsonElement> LoginAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/auth/wechat/login", new { code = $"test-{name}" });
        return await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
    }

    public static async Task<string> AdminTokenAsync(HttpClient api)
    {
        await (await api.PostAsJsonAsync("/api/auth/sms/send", new { phone = AdminPhone })).EnsureStatusAsync(HttpStatusCode.Accepted);
        var code = (await (await (await api.GetAsync($"/api/dev/sms/{AdminPhone}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
            .GetProperty("code").GetString();
        var login = await api.PostAsJsonAsync("/api/auth/sms/login", new { phone = AdminPhone, code });
        return (await (await login.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync()).GetProperty("accessToken").GetString()!;
    }

    public static Task<HttpClient> SignedInAsync(HttpClient api, string token)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = api.Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Task.FromResult(client);
    }

    /// <summary>Sets one of Shanghai's lifecycle settings (e.g. paymentTimeoutMinutes) through the admin API.</summary>
    public static async Task SetLifecycleAsync(HttpClient admin, string setting, int minutes)
    {
        var current = await (await admin.GetAsync("/api/admin/cities/shanghai/settings")).EnsureStatusAsync(HttpStatusCode.OK);
        var etag = current.Headers.ETag?.Tag;
        var settings = JsonNode.Parse(await current.Content.ReadAsStringAsync())!;
        settings["lifecycle"]![setting] = minutes;
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/cities/shanghai/settings") { Content = JsonContent.Create(settings) };
        if (etag is not null)
        {
            put.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        await (await admin.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>Bookable starts of the demo cleaning item at the address, from the day after tomorrow, with how many workers can take each.</summary>
    public static async Task<List<(DateTimeOffset Start, int Workers)>> SlotsAsync(HttpClient customer, string addressId)
    {
        var from = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddDays(4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var availability = await (await (await customer.GetAsync($"/api/customer/availability?itemId=daily-cleaning-2h&addressId={addressId}&from={from}&to={to}"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var slots = availability.GetProperty("slots").EnumerateArray()
            .Select(s => (s.GetProperty("start").GetDateTimeOffset(), s.GetProperty("workerCount").GetInt32())).ToList();
        Assert.True(slots.Count >= 2, "the demo city has fewer than two free slots");
        return slots;
    }

    public static async Task<JsonElement> BookAsync(HttpClient customer, string addressId, DateTimeOffset start)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders")
        {
            Content = JsonContent.Create(new { itemId = "daily-cleaning-2h", addressId, start }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return await (await (await customer.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
    }

    /// <summary>Pays an order through the WeChat Pay sandbox: the payment parameters, then the sandbox's signed callback.</summary>
    public static async Task PayAsync(HttpClient api, HttpClient customer, string orderId)
    {
        var pay = await (await (await customer.PostAsync($"/api/customer/orders/{orderId}/pay", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        await (await customer.PostAsync($"/api/dev/payments/{pay.GetProperty("paymentReference").GetString()}/succeed", null)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    public static async Task<string> StatusAsync(HttpClient customer, string orderId) =>
        (await (await (await customer.GetAsync($"/api/customer/orders/{orderId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
        .GetProperty("status").GetString()!;

    public static async Task<JsonElement> LedgerAsync(HttpClient admin) =>
        await (await (await admin.GetAsync("/api/admin/ledger/check")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();

    /// <summary>The admin's view of an order's orchestration.</summary>
    public static async Task<JsonElement> LifecycleAsync(HttpClient admin, string orderId) =>
        await (await (await admin.GetAsync($"/api/admin/orders/{orderId}/lifecycle")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
}
