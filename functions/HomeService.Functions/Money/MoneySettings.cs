using System.Net;
using System.Text.Json.Serialization;
using Cronos;
using HomeService.Domain.Money;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Money;

/// <summary>A commission rate for a city, a category, or both (the most specific match wins).</summary>
public sealed record CommissionRate(string? CityId, string? CategoryId, int RateBps);

public sealed record CommissionSettings(
    int DefaultRateBps = 1000,
    int MerchantRateBps = 2000,
    RoundingMode Rounding = RoundingMode.PlatformDisfavour,
    IReadOnlyList<CommissionRate>? Rates = null)
{
    public const int MaxRates = 500;

    public int RateFor(string? cityId, string? categoryId)
    {
        var rates = Rates ?? [];
        return (rates.FirstOrDefault(r => r.CityId == cityId && r.CategoryId == categoryId && r.CityId is not null && r.CategoryId is not null)
                ?? rates.FirstOrDefault(r => r.CityId is null && r.CategoryId is not null && r.CategoryId == categoryId)
                ?? rates.FirstOrDefault(r => r.CategoryId is null && r.CityId is not null && r.CityId == cityId))?.RateBps
               ?? DefaultRateBps;
    }

    public void Validate()
    {
        var v = new Validator()
            .Range("defaultRateBps", DefaultRateBps, SettlementCalculator.MinCommissionRateBps, SettlementCalculator.MaxCommissionRateBps)
            .Range("merchantRateBps", MerchantRateBps, 0, SettlementCalculator.MaxMerchantRateBps)
            .Check(Enum.IsDefined(Rounding), "rounding", "invalid");
        var rates = Rates ?? [];
        v.Check(rates.Count <= MaxRates, "rates", "too_many", MaxRates);
        for (var i = 0; i < rates.Count; i++)
        {
            var r = rates[i];
            v.Check(r.CityId is not null || r.CategoryId is not null, $"rates[{i}]", "required")
                .Range($"rates[{i}].rateBps", r.RateBps, SettlementCalculator.MinCommissionRateBps, SettlementCalculator.MaxCommissionRateBps)
                .Optional($"rates[{i}].cityId", r.CityId, 64)
                .Optional($"rates[{i}].categoryId", r.CategoryId, 64);
        }

        v.Check(rates.Select(r => (r.CityId, r.CategoryId)).Distinct().Count() == rates.Count, "rates", "duplicate");
        v.ThrowIfInvalid();
    }
}

/// <summary>Withdrawal threshold and fee, payout retries and the payout schedule (NCRONTAB, 6 fields, UTC).</summary>
public sealed record WithdrawalSettings(
    long MinimumFen = 10_000,
    int FeeBps = 10,
    long FeeMinFen = 100,
    long FeeMaxFen = 2_500,
    int MaxPayoutAttempts = 3,
    string PayoutSchedule = WithdrawalSettings.DefaultPayoutSchedule,
    int PayoutLeaseMinutes = 10)
{
    /// <summary>Mondays 02:00 UTC.</summary>
    public const string DefaultPayoutSchedule = "0 0 2 * * 1";

    /// <summary>Rate share rounded down, clamped to [min, max]; always below the amount it is charged on.</summary>
    public long FeeFor(long amountFen)
    {
        if (FeeBps == 0 && FeeMinFen == 0)
        {
            return 0;
        }

        var fee = Math.Clamp(SettlementCalculator.Share(Math.Max(amountFen, 0), FeeBps, RoundingMode.PlatformDisfavour), FeeMinFen, FeeMaxFen);
        return Math.Min(fee, Math.Max(amountFen - 1, 0));
    }

    public void Validate()
    {
        var v = new Validator()
            .Range("minimumFen", MinimumFen, 100, 10_000_000)
            .Range("feeBps", FeeBps, 0, 1_000)
            .Range("feeMinFen", FeeMinFen, 0, 100_000)
            .Range("feeMaxFen", FeeMaxFen, 0, 1_000_000)
            .Range("maxPayoutAttempts", MaxPayoutAttempts, 1, 10)
            .Range("payoutLeaseMinutes", PayoutLeaseMinutes, 1, 24 * 60)
            .Check(FeeMaxFen >= FeeMinFen, "feeMaxFen", "min_above_max")
            .Check(FeeMinFen < MinimumFen, "feeMinFen", "out_of_range", 0, MinimumFen - 1);
        try
        {
            CronExpression.Parse(PayoutSchedule ?? "", CronFormat.IncludeSeconds);
        }
        catch (CronFormatException)
        {
            v.Add("payoutSchedule", "invalid_schedule");
        }

        v.ThrowIfInvalid();
    }

    public CronExpression Schedule() => CronExpression.Parse(PayoutSchedule, CronFormat.IncludeSeconds);
}

internal sealed record SettingsDocument<T>(string Id, string Type, T Settings, DateTimeOffset? UpdatedAt, string? UpdatedBy)
{
    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>Money settings in `system` (ids <c>settings:commission</c>, <c>settings:withdrawals</c>), defaults until an admin changes them.</summary>
public sealed class MoneySettings(CosmosDb db, TimeProvider time)
{
    public const string CommissionId = "settings:commission";
    public const string WithdrawalsId = "settings:withdrawals";

    public async Task<CommissionSettings> CommissionAsync(CancellationToken ct) => (await GetAsync(CommissionId, new CommissionSettings(), ct)).Settings;

    public async Task<WithdrawalSettings> WithdrawalsAsync(CancellationToken ct) => (await GetAsync(WithdrawalsId, new WithdrawalSettings(), ct)).Settings;

    /// <summary>The settings and their ETag; the defaults are stored on first read so there is always an ETag to send back.</summary>
    public async Task<(T Settings, string? ETag)> GetAsync<T>(string id, T defaults, CancellationToken ct)
    {
        var current = (await db.System.ReadOrNullAsync<SettingsDocument<T>>(id, id, ct))?.Resource;
        if (current is not null)
        {
            return (current.Settings, current.ETag);
        }

        try
        {
            var created = (await db.System.CreateItemAsync(new SettingsDocument<T>(id, "settings", defaults, null, null), new PartitionKey(id), cancellationToken: ct)).Resource;
            return (created.Settings, created.ETag);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            var stored = (await db.System.ReadItemAsync<SettingsDocument<T>>(id, new PartitionKey(id), cancellationToken: ct)).Resource;
            return (stored.Settings, stored.ETag);
        }
    }

    public async Task<(T Settings, string? ETag)> ReplaceAsync<T>(string id, T settings, string ifMatch, string adminId, CancellationToken ct)
    {
        try
        {
            var replaced = (await db.System.ReplaceItemAsync(new SettingsDocument<T>(id, "settings", settings, time.GetUtcNow(), adminId), id,
                new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct)).Resource;
            return (replaced.Settings, replaced.ETag);
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            // Not found: the client cannot hold an ETag of settings never read (GET stores the defaults).
            throw new PreconditionFailedException();
        }
    }
}

public static class MoneySettingsEndpoints
{
    public static RouteGroupBuilder MapMoneySettingsEndpoints(this RouteGroupBuilder admin)
    {
        var settings = admin.MapGroup("/settings").WithTags("Admin money settings");

        settings.MapGet("/commission", async Task<Ok<CommissionSettings>> (HttpContext http, MoneySettings store, CancellationToken ct) =>
        {
            var (value, etag) = await store.GetAsync(MoneySettings.CommissionId, new CommissionSettings(), ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(value);
        }).WithSummary("Commission rates (basis points) per city / category, merchant rate, rounding");

        settings.MapPut("/commission", async Task<Ok<CommissionSettings>> (CommissionSettings request, HttpContext http, MoneySettings store, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            request.Validate();
            var (value, etag) = await store.ReplaceAsync(MoneySettings.CommissionId, request with { Rates = request.Rates ?? [] }, ifMatch, http.User.UserId(), ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(value);
        }).WithSummary("Change commission settings (If-Match required; rates 500–1500 bps)").RequiresIfMatch();

        settings.MapGet("/withdrawals", async Task<Ok<WithdrawalSettings>> (HttpContext http, MoneySettings store, CancellationToken ct) =>
        {
            var (value, etag) = await store.GetAsync(MoneySettings.WithdrawalsId, new WithdrawalSettings(), ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(value);
        }).WithSummary("Withdrawal minimum and fee, payout attempts and schedule");

        settings.MapPut("/withdrawals", async Task<Ok<WithdrawalSettings>> (WithdrawalSettings request, HttpContext http, MoneySettings store, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            request.Validate();
            var (value, etag) = await store.ReplaceAsync(MoneySettings.WithdrawalsId, request, ifMatch, http.User.UserId(), ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(value);
        }).WithSummary("Change withdrawal settings (If-Match required)").RequiresIfMatch();

        return admin;
    }
}
