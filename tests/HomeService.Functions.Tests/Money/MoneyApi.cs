using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Money;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Money;

/// <summary>The app with the sandbox payout provider and a fake clock (Monday 2026-03-02 01:00 UTC, an hour before the default payout run).</summary>
public sealed class MoneyFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Money:PayoutProvider"] = "Sandbox",
        // Payout tests move the clock weeks ahead; tokens issued at the start stay valid.
        ["Auth:TokenLifetime"] = "3650.00:00:00",
    };

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    public SandboxPayoutProvider Payouts => Services.GetRequiredService<SandboxPayoutProvider>();
    public SettlementService Settlement => Services.GetRequiredService<SettlementService>();
    public LedgerService Ledger => Services.GetRequiredService<LedgerService>();
}

[CollectionDefinition(Name)]
public sealed class MoneyCollection : ICollectionFixture<MoneyFactory>
{
    public const string Name = "money";
}

public sealed record Owner(HttpClient Client, string Id);

public static class MoneyApi
{
    private static int _orderCounter;

    /// <summary>A logged-in worker: a user with an approved worker document and the worker role (WeChat login as <paramref name="weChatName"/>: openid sandbox-{name}).</summary>
    public static async Task<Owner> NewWorkerAsync(this MoneyFactory factory, string? merchantId = null, string? weChatName = null)
    {
        var (client, id) = await factory.NewUserWithRoleAsync(Roles.Worker, await factory.NewCustomerAsync(weChatName));
        await factory.AddWorkerDocumentAsync(id, merchantId);
        return new Owner(client, id);
    }

    /// <summary>A worker who signed in by phone only: no WeChat openid.</summary>
    public static async Task<Owner> NewPhoneWorkerAsync(this MoneyFactory factory)
    {
        var phone = "139" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (client, id) = await factory.NewUserWithRoleAsync(Roles.Worker, await factory.PhoneLoginAsync(phone));
        await factory.AddWorkerDocumentAsync(id, null);
        return new Owner(client, id);
    }

    private static async Task AddWorkerDocumentAsync(this MoneyFactory factory, string id, string? merchantId)
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var worker = new WorkerDocument
        {
            Id = id,
            Status = AuditStatus.Approved,
            RealName = "张师傅",
            IdNumberMasked = "1101**********0011",
            IdNumberHash = Guid.NewGuid().ToString("N"),
            CityId = "shanghai",
            MerchantId = merchantId,
            CreatedAt = factory.Clock.GetUtcNow(),
        };
        await db.Workers.UpsertItemAsync(worker, new PartitionKey(id));
    }

    /// <summary>A merchant's owner signed in; <see cref="Owner.Id"/> is the merchant's id (what its staff carry and settlement credits).</summary>
    public static async Task<Owner> NewMerchantAsync(this MoneyFactory factory)
    {
        var (client, userId) = await factory.NewUserWithRoleAsync(Roles.Merchant, await factory.NewCustomerAsync());
        return new Owner(client, Functions.Merchants.MerchantDocument.IdFor(userId));
    }

    private static async Task<(HttpClient Client, string Id)> NewUserWithRoleAsync(this MoneyFactory factory, string role, HttpClient client)
    {
        var id = (await (await client.GetAsync("/api/me")).ReadJsonAsync()).GetProperty("id").GetString()!;
        await factory.Services.GetRequiredService<UserAccounts>().GrantRoleAsync(id, role, CancellationToken.None);
        var refreshed = await (await client.PostAsync("/api/auth/refresh", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var token = await refreshed.ReadAsync<TokenResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return (client, id);
    }

    public static string NewOrderId() => $"o{Interlocked.Increment(ref _orderCounter)}-{Guid.NewGuid():N}"[..24];

    /// <summary>A paid order settled to <paramref name="workerId"/> at the default 10 %: the worker earns 90 % of <paramref name="paidFen"/>.</summary>
    public static async Task<string> EarnAsync(this MoneyFactory factory, string workerId, long paidFen, string? merchantId = null)
    {
        var orderId = NewOrderId();
        var at = factory.Clock.GetUtcNow();
        await factory.Settlement.PaymentCapturedAsync(orderId, paidFen, at, CancellationToken.None);
        await factory.Settlement.SettleAsync(orderId, paidFen, 0, "shanghai", "cleaning", workerId, merchantId, at, CancellationToken.None);
        return orderId;
    }

    public static async Task<WalletView> WalletAsync(this HttpClient client, string audience = "worker") =>
        await (await (await client.GetAsync($"/api/{audience}/wallet")).EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<WalletView>();

    /// <summary>A Luhn-valid card number ending in <paramref name="last4"/>.</summary>
    public static string CardNumber(string last4 = "")
    {
        var random = Random.Shared;
        while (true)
        {
            var body = "622202" + random.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (last4.Length == 4)
            {
                var candidate = body + last4;
                if (CardNumberProtector.TryNormalize(candidate, out _)) return candidate;
                continue;
            }

            for (var check = 0; check <= 9; check++)
            {
                var candidate = body + "123" + check;
                if (CardNumberProtector.TryNormalize(candidate, out _)) return candidate;
            }
        }
    }

    public static async Task<string> AddCardAsync(this HttpClient client, string number, string audience = "worker")
    {
        var response = await client.PostAsJsonAsync($"/api/{audience}/bank-cards", new { holderName = "张三", bankName = "工商银行", cardNumber = number });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task<HttpResponseMessage> WithdrawAsync(this HttpClient client, long amountFen, string cardId, string? key = null, string audience = "worker")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{audience}/withdrawals") { Content = JsonContent.Create(new { amountFen, bankCardId = cardId }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> WithdrawToWeChatAsync(this HttpClient client, long amountFen, string? key = null, string audience = "worker")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{audience}/withdrawals") { Content = JsonContent.Create(new { amountFen, destination = "wechatBalance" }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(request);
    }

    public static async Task<string> RequestWithdrawalAsync(this HttpClient client, long amountFen, string cardId)
    {
        var response = await (await client.WithdrawAsync(amountFen, cardId)).EnsureStatusAsync(HttpStatusCode.Created);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task ApproveAsync(this ApiFactory factory, string withdrawalId)
    {
        var admin = await factory.AdminAsync();
        await (await admin.PostAsync($"/api/admin/withdrawals/{withdrawalId}/approve", null)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonElement> AdminWithdrawalAsync(this ApiFactory factory, string withdrawalId)
    {
        var admin = await factory.AdminAsync();
        return await (await (await admin.GetAsync($"/api/admin/withdrawals/{withdrawalId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
    }

    /// <summary>The fake clock a test host runs on.</summary>
    public static FakeTimeProvider ClockOf(ApiFactory factory) => (FakeTimeProvider)factory.Services.GetRequiredService<TimeProvider>();

    public static string StatusOf(JsonElement adminView) => adminView.GetProperty("withdrawal").GetProperty("status").GetString()!;

    /// <summary>Moves the clock to the next scheduled payout time (default Mondays 02:00 UTC).</summary>
    public static void AdvanceToNextPayoutTime(this ApiFactory factory)
    {
        var schedule = Cronos.CronExpression.Parse(WithdrawalSettings.DefaultPayoutSchedule, Cronos.CronFormat.IncludeSeconds);
        var clock = ClockOf(factory);
        var next = schedule.GetNextOccurrence(clock.GetUtcNow().UtcDateTime, TimeZoneInfo.Utc)!.Value;
        clock.SetUtcNow(new DateTimeOffset(next, TimeSpan.Zero) + TimeSpan.FromMinutes(1));
    }

    /// <summary>Fires the payout timer as its schedule would, and waits for the payout run it starts (if any) to finish.</summary>
    public static async Task<LocalHost.FunctionRun> InvokePayoutTimerAsync(this ApiFactory factory)
    {
        var run = await factory.InvokeTimerAsync(PayoutFunction.Name, ClockOf(factory).GetUtcNow());
        await factory.Orchestrations.CompleteAsync(Functions.Money.PayoutOrchestrator.Name);
        return run;
    }

    public static async Task AssertLedgerBalancedAsync(this ApiFactory factory)
    {
        var check = await factory.Services.GetRequiredService<LedgerService>().CheckAsync(CancellationToken.None);
        Assert.Equal(0, check.TotalFen);
        Assert.Empty(check.Mismatches);
        Assert.Equal(0, check.Incomplete);
    }
}
