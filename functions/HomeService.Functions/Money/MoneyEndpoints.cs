using System.Globalization;
using HomeService.Domain.Money;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Money;

public sealed record WalletView(long AvailableFen, long InTransitFen, long TotalEarnedFen, DateTimeOffset? UpdatedAt);

public sealed record StatementLineView(
    string TransactionId, string Kind, DateTimeOffset At, long AmountFen, long BalanceFen, long InTransitAmountFen, long InTransitBalanceFen,
    string? OrderId, string? WithdrawalId);

public sealed record OrderBreakdownView(
    string OrderId, long? PaidFen, long? RefundedBeforeSettlementFen, long? SettledFen, int? CommissionRateBps, long? CommissionFen,
    long? MerchantFen, long? WorkerFen, long NetFen, IReadOnlyList<StatementLineView> Lines);

public sealed record RejectWithdrawalRequest(string? Reason);

public sealed record RevenueView(string From, string To, long TotalCommissionFen, IReadOnlyList<RevenueDayView> Days);

public static class MoneySetup
{
    public static IServiceCollection AddMoney(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(MoneyOptions.Section);
        services.Configure<MoneyOptions>(section);
        services.AddSingleton<CardNumberProtector>();
        services.AddSingleton<RevenueDays>();
        services.AddSingleton<LedgerService>();
        services.AddSingleton<MoneySettings>();
        services.AddSingleton<SettlementService>();
        services.AddSingleton<BankCards>();
        services.AddSingleton<Withdrawals>();
        services.AddSingleton<PayoutRunner>();
        services.AddSingleton<PayoutRuns>();

        var provider = section.Get<MoneyOptions>()?.PayoutProvider ?? "None";
        switch (provider.ToUpperInvariant())
        {
            case "SANDBOX":
                if (!environment.IsDevelopment())
                {
                    throw new InvalidOperationException("Money:PayoutProvider=Sandbox is a local sandbox and is refused outside Development.");
                }

                services.AddSingleton<SandboxPayoutProvider>();
                services.AddSingleton<IPayoutProvider>(sp => sp.GetRequiredService<SandboxPayoutProvider>());
                break;
            case "WECHATPAY":
                AddWeChatPayTransfers(services, configuration, environment, section.Get<MoneyOptions>()?.WeChatTransfer ?? new WeChatTransferOptions());
                break;
            case "NONE":
                // Payouts paused: the payout timer logs and skips; withdrawals wait for a provider.
                break;
            default:
                throw new InvalidOperationException($"Unknown Money:PayoutProvider '{provider}' (WeChatPay | Sandbox | None).");
        }

        return services;
    }

    /// <summary>
    /// Transfers go out through the same WeChat Pay merchant as payments (its client, keys and AppID), so they need
    /// Payments:Provider=WeChatPay and complete Payments:WeChatPay settings; a half-configured app refuses to start.
    /// </summary>
    private static void AddWeChatPayTransfers(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, WeChatTransferOptions transfer)
    {
        var payments = configuration.GetSection(PaymentsSetup.Section);
        var paymentsProvider = payments["Provider"] is { Length: > 0 } configured
            ? configured
            : environment.IsDevelopment() ? PaymentsSetup.SandboxProvider : PaymentsSetup.WeChatPayProvider;
        if (!string.Equals(paymentsProvider, PaymentsSetup.WeChatPayProvider, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Money:PayoutProvider=WeChatPay pays through the WeChat Pay merchant and needs Payments:Provider=WeChatPay (it is '{paymentsProvider}').");
        }

        var merchant = payments.GetSection(WeChatPayOptions.SectionName).Get<WeChatPayOptions>() ?? new WeChatPayOptions();
        var errors = merchant.Validate().Select(e => $"{PaymentsSetup.Section}:{e}").Concat(transfer.Validate()).ToArray();
        if (errors.Length > 0)
        {
            throw new InvalidOperationException("Money:PayoutProvider=WeChatPay is not fully configured: " + string.Join(" ", errors));
        }

        services.AddSingleton(transfer);
        // A typed WeChatPayClient per call: the factory rotates its handlers, which a singleton must not pin.
        services.AddSingleton<IPayoutProvider>(sp => new WeChatPayTransferPayoutProvider(
            sp.GetRequiredService<WeChatPayClient>, sp.GetRequiredService<WeChatPayMerchant>(), transfer,
            sp.GetRequiredService<ILogger<WeChatPayTransferPayoutProvider>>()));
    }
}

public static class MoneyEndpoints
{
    public static IEndpointRouteBuilder MapMoneyEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/worker").RequireAuthorization(Roles.Worker).WithTags("Worker money").MapOwnerMoney(WalletOwner.Worker, "worker");
        // A merchant's money is the merchant's (its ledger account is keyed by the merchant id settlement credits), reached
        // through its owner's login.
        routes.MapGroup("/api/merchant").RequireAuthorization(Roles.Merchant).WithTags("Merchant money")
            .MapOwnerMoney(userId => WalletOwner.Merchant(Merchants.MerchantDocument.IdFor(userId)), "merchant");
        var admin = routes.MapGroup("/api/admin").RequireAuthorization(Roles.Admin);
        admin.MapMoneySettingsEndpoints();
        admin.MapAdminMoney();
        return routes;
    }

    /// <summary>Wallet, statement, bank cards and withdrawals of the signed-in owner: the owner is the caller, never a route value.</summary>
    private static RouteGroupBuilder MapOwnerMoney(this RouteGroupBuilder group, Func<string, WalletOwner> ownerOf, string audience)
    {
        WalletOwner Me(HttpContext http) => ownerOf(http.User.UserId());

        group.MapGet("/wallet", async Task<Ok<WalletView>> (HttpContext http, LedgerService ledger, CancellationToken ct) =>
        {
            var wallet = await ledger.WalletAsync(Me(http), ct);
            return TypedResults.Ok(new WalletView(wallet.AvailableFen, wallet.InTransitFen, wallet.TotalEarnedFen, wallet.UpdatedAt));
        }).WithSummary("My wallet: available, in transit (withdrawals not yet paid), total earned");

        group.MapGet("/statement", async Task<Ok<Page<StatementLineView>>> (string? from, string? to, string? continuationToken, int? pageSize,
            HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            var v = new Validator().PageSize(pageSize);
            var (since, until) = (Instants.FromQuery(v, "from", from), Instants.FromQuery(v, "to", to));
            v.Check(since is null || until is null || since <= until, "from", "min_above_max").ThrowIfInvalid();
            var owner = Me(http);
            var where = "c.ownerKey = @o AND c.type = 'entry'" + (since is null ? "" : " AND c.atKey >= @from") + (until is null ? "" : " AND c.atKey < @to");
            var parameters = new Dictionary<string, object?> { ["@o"] = owner.Key };
            if (since is not null) parameters["@from"] = MoneyKeys.Instant(since.Value);
            if (until is not null) parameters["@to"] = MoneyKeys.Instant(until.Value);
            var page = await db.Wallets.KeysetPageAsync<WalletEntryDocument>(owner.Key, where, parameters, "sortKey", descending: true, e => e.SortKey,
                ContinuationTokens.Fingerprint("statement", owner.Key, since, until), continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<StatementLineView>(page.Items.Select(Line).ToArray(), page.ContinuationToken));
        }).WithSummary("My statement, newest first, each line with the balance after it (from inclusive, to exclusive)");

        group.MapGet("/statement/orders/{orderId}", async Task<Ok<OrderBreakdownView>> (string orderId, HttpContext http, CosmosDb db, LedgerService ledger, CancellationToken ct) =>
        {
            var owner = Me(http);
            var entries = await db.Wallets.QueryAllAsync<WalletEntryDocument>(
                new Microsoft.Azure.Cosmos.QueryDefinition("SELECT * FROM c WHERE c.ownerKey = @o AND c.type = 'entry' AND c.orderId = @order ORDER BY c.sortKey")
                    .WithParameter("@o", owner.Key).WithParameter("@order", orderId), owner.Key, ct);
            if (entries.Count == 0)
            {
                throw new NotFoundException("res.order", orderId);
            }

            var settlement = await ledger.FindAsync(SettlementCalculator.TransactionId(orderId), ct);
            long? Share(Func<string, bool> account) => settlement?.Postings.Where(p => account(p.Account) && p.AmountFen > 0).Sum(p => p.AmountFen);
            var facts = settlement?.Facts;
            return TypedResults.Ok(new OrderBreakdownView(orderId,
                facts?.GetValueOrDefault(SettlementService.PaidFact), facts?.GetValueOrDefault(SettlementService.RefundedFact),
                Share(a => a != LedgerAccount.CustomerPaymentsClearing.Id),
                facts is null ? null : (int)facts.GetValueOrDefault(SettlementService.RateFact),
                Share(a => a == LedgerAccount.PlatformRevenue.Id),
                Share(a => a.StartsWith("merchant:", StringComparison.Ordinal)),
                Share(a => a.StartsWith("worker:", StringComparison.Ordinal)),
                entries.Sum(e => e.AmountFen), entries.Select(Line).ToArray()));
        }).WithSummary("How one order's money reached my wallet: paid, commission, shares, refunds");

        var cards = group.MapGroup("/bank-cards");
        cards.MapGet("/", async Task<Ok<IReadOnlyList<BankCardView>>> (HttpContext http, BankCards store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListAsync(Me(http), ct))).WithSummary("My bank cards (masked)");
        cards.MapPost("/", async Task<Created<BankCardView>> (AddBankCardRequest request, HttpContext http, BankCards store, CancellationToken ct) =>
        {
            var card = await store.AddAsync(Me(http), request, ct);
            return TypedResults.Created($"/api/{audience}/bank-cards/{card.Id}", card);
        }).WithSummary("Add a bank card (12–19 digits, Luhn-checked; stored masked, at most 5)");
        cards.MapDelete("/{id}", async Task<NoContent> (string id, HttpContext http, BankCards store, CancellationToken ct) =>
        {
            await store.RemoveAsync(Me(http), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Remove a bank card");
        cards.MapPost("/{id}/default", async Task<Ok<BankCardView>> (string id, HttpContext http, BankCards store, CancellationToken ct) =>
            TypedResults.Ok(await store.SetDefaultAsync(Me(http), id, ct))).WithSummary("Make a bank card my default");

        var withdrawals = group.MapGroup("/withdrawals");
        withdrawals.MapPost("/", async Task<Created<WithdrawalView>> (WithdrawalRequest request, HttpContext http, Withdrawals store, CancellationToken ct) =>
        {
            var key = http.Request.Headers["Idempotency-Key"].ToString();
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new IdempotencyKeyRequiredException();
            }

            var withdrawal = await store.RequestAsync(Me(http), key, request, ct);
            ETags.Set(http.Response, withdrawal.ETag);
            return TypedResults.Created($"/api/{audience}/withdrawals/{withdrawal.Id}", WithdrawalView.Of(withdrawal));
        }).WithSummary("Withdraw to a bank card or the WeChat balance (destination; Idempotency-Key required; minimum and fee from settings)").RequiresIdempotencyKey();
        withdrawals.MapGet("/", async Task<Ok<Page<WithdrawalView>>> (string? continuationToken, int? pageSize, HttpContext http, Withdrawals store, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await store.ListOwnAsync(Me(http), continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<WithdrawalView>(page.Items.Select(WithdrawalView.Of).ToArray(), page.ContinuationToken));
        }).WithSummary("My withdrawals, newest first");
        withdrawals.MapGet("/{id}", async Task<Ok<WithdrawalView>> (string id, HttpContext http, Withdrawals store, CancellationToken ct) =>
            TypedResults.Ok(WithdrawalView.Of(await store.GetOwnAsync(Me(http), id, ct)))).WithSummary("One of my withdrawals");
        withdrawals.MapPost("/{id}/refresh", async Task<Ok<WithdrawalView>> (string id, HttpContext http, Withdrawals store, PayoutRunner payouts, CancellationToken ct) =>
        {
            var withdrawal = await store.GetOwnAsync(Me(http), id, ct);
            try
            {
                withdrawal = await payouts.RefreshAsync(withdrawal, ct);
            }
            catch (PayoutOutcomeUnknownException)
            {
                throw new FeatureUnavailableException("payout_provider_unavailable");
            }

            return TypedResults.Ok(WithdrawalView.Of(withdrawal));
        }).WithSummary("After confirming receipt in WeChat (wx.requestMerchantTransfer): ask the payout provider for the outcome now");

        return group;
    }

    private static RouteGroupBuilder MapAdminMoney(this RouteGroupBuilder admin)
    {
        var withdrawals = admin.MapGroup("/withdrawals").WithTags("Admin withdrawals");
        withdrawals.MapGet("/", async Task<Ok<Page<AdminWithdrawalView>>> (string? status, string? continuationToken, int? pageSize, Withdrawals store, CancellationToken ct) =>
        {
            WithdrawalStatus? parsed = null;
            if (status is not null)
            {
                parsed = Enum.TryParse<WithdrawalStatus>(status, ignoreCase: true, out var s) && !int.TryParse(status, out _)
                    ? s
                    : throw ValidationFailedException.For("status", "invalid");
            }

            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await store.ListByStatusAsync(parsed, continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<AdminWithdrawalView>(page.Items.Select(Admin).ToArray(), page.ContinuationToken));
        }).WithSummary("Withdrawals by status, oldest first (review queue: status=requested)");
        withdrawals.MapGet("/{id}", async Task<Ok<AdminWithdrawalView>> (string id, HttpContext http, Withdrawals store, CancellationToken ct) =>
        {
            var withdrawal = await store.FindAsync(id, ct);
            if (withdrawal is null || withdrawal.Type != "withdrawal")
            {
                throw new NotFoundException("res.withdrawal", id);
            }

            ETags.Set(http.Response, withdrawal.ETag);
            return TypedResults.Ok(Admin(withdrawal));
        }).WithSummary("One withdrawal with its payout attempts");
        withdrawals.MapPost("/{id}/approve", async Task<Ok<AdminWithdrawalView>> (string id, HttpContext http, Withdrawals store, TimeProvider time, CancellationToken ct) =>
        {
            var withdrawal = await store.TransitionAsync(id, new ApproveWithdrawal(http.User.UserId(), time.GetUtcNow()), OptionalIfMatch(http), ct);
            ETags.Set(http.Response, withdrawal.ETag);
            return TypedResults.Ok(Admin(withdrawal));
        }).WithSummary("Approve a requested withdrawal for the next payout run (If-Match optional)").AcceptsIfMatch(requiredOnceExists: false);
        withdrawals.MapPost("/{id}/reject", async Task<Ok<AdminWithdrawalView>> (string id, RejectWithdrawalRequest request, HttpContext http, Withdrawals store, TimeProvider time, CancellationToken ct) =>
        {
            new Validator().Required("reason", request.Reason, 200).ThrowIfInvalid();
            var withdrawal = await store.TransitionAsync(id, new RejectWithdrawal(http.User.UserId(), request.Reason!.Trim(), time.GetUtcNow()), OptionalIfMatch(http), ct);
            ETags.Set(http.Response, withdrawal.ETag);
            return TypedResults.Ok(Admin(withdrawal));
        }).WithSummary("Reject a requested withdrawal; the money returns to the wallet (If-Match optional)").AcceptsIfMatch(requiredOnceExists: false);

        admin.MapGet("/payouts", async Task<Ok<Page<PayoutBatchDocument>>> (string? continuationToken, int? pageSize, PayoutRunner payouts, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            var page = await payouts.BatchesAsync(continuationToken, pageSize ?? 20, ct);
            return TypedResults.Ok(new Page<PayoutBatchDocument>(page.Items.Select(b => b with { ETag = null }).ToArray(), page.ContinuationToken));
        }).WithTags("Admin payouts").WithSummary("Payout runs, newest first, with each withdrawal's result");

        admin.MapGet("/revenue", async Task<Ok<RevenueView>> (string? from, string? to, RevenueDays revenue, TimeProvider time, CancellationToken ct) =>
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(MoneyKeys.BusinessOffset).DateTime);
            var v = new Validator();
            var fromDay = ParseDay(v, "from", from) ?? today.AddDays(-29);
            var toDay = ParseDay(v, "to", to) ?? today;
            v.Check(fromDay <= toDay, "from", "min_above_max")
                .Check(toDay.DayNumber - fromDay.DayNumber < RevenueDays.MaxDays, "to", "out_of_range", fromDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), fromDay.AddDays(RevenueDays.MaxDays - 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .ThrowIfInvalid();
            var days = await revenue.RangeAsync(fromDay, toDay, ct);
            return TypedResults.Ok(new RevenueView(fromDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), toDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                days.Sum(d => d.CommissionFen), days));
        }).WithTags("Admin payouts").WithSummary("Platform commission per business day (China time), from pre-aggregated daily totals");

        admin.MapGet("/ledger/check", async Task<Ok<LedgerCheck>> (LedgerService ledger, CancellationToken ct) =>
            TypedResults.Ok(await ledger.CheckAsync(ct))).WithTags("Admin payouts").WithSummary("Re-derive every balance from the ledger and compare with the wallets (reads the whole ledger)");

        return admin;
    }

    private static string? OptionalIfMatch(HttpContext http) =>
        string.IsNullOrWhiteSpace(http.Request.Headers.IfMatch.ToString()) ? null : ETags.RequireIfMatch(http.Request);

    private static DateOnly? ParseDay(Validator v, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        v.Add(field, "invalid_date");
        return null;
    }

    private static StatementLineView Line(WalletEntryDocument e) =>
        new(e.Id, e.Kind, e.At, e.AmountFen, e.BalanceFen, e.InTransitAmountFen, e.InTransitBalanceFen, e.OrderId, e.WithdrawalId);

    private static AdminWithdrawalView Admin(WithdrawalDocument d) => new(d.OwnerKey, WithdrawalView.Of(d), d.ProviderReference, d.Attempts);
}

public sealed class IdempotencyKeyRequiredException() : AppException(StatusCodes.Status400BadRequest, "idempotency_key_required");
