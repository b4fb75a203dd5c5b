using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Serialization;
using HomeService.Domain.Booking;
using HomeService.Domain.Dispatch;
using HomeService.Domain.Orders;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Money;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Scheduling;

public sealed record BookingWindow(int MinimumNoticeMinutes = 120, int HorizonDays = 30, int SlotStepMinutes = 30);

/// <summary>Lifecycle timers in whole minutes (the order copies them as <see cref="LifecycleTimings"/> when placed).</summary>
public sealed record LifecycleMinutes(
    int PaymentTimeoutMinutes = 15,
    int AcceptanceTimeoutMinutes = 5,
    int MaxOfferRounds = 3,
    int AutoConfirmMinutes = 24 * 60,
    int ComplaintWindowMinutes = 72 * 60,
    int FirstReminderMinutes = 24 * 60,
    int SecondReminderMinutes = 2 * 60)
{
    public LifecycleTimings ToTimings() => new(
        TimeSpan.FromMinutes(PaymentTimeoutMinutes), TimeSpan.FromMinutes(AcceptanceTimeoutMinutes), MaxOfferRounds,
        TimeSpan.FromMinutes(AutoConfirmMinutes), TimeSpan.FromMinutes(ComplaintWindowMinutes),
        TimeSpan.FromMinutes(FirstReminderMinutes), TimeSpan.FromMinutes(SecondReminderMinutes));
}

public sealed record DispatchSettings(DispatchMode Mode = DispatchMode.AutoAssign, ScoringWeights? Weights = null);

/// <summary>
/// Per-city rules, in `system` (pk /id) as <c>city-settings:{cityId}</c>. A city without a document runs on these
/// defaults; the time zone always comes from the city itself.
/// </summary>
public sealed record CitySettingsDocument
{
    public const string Kind = "city-settings";

    public static string IdFor(string cityId) => $"{Kind}:{cityId}";

    public string Id { get; init; } = "";
    public string Type { get; init; } = Kind;
    public string CityId { get; init; } = "";
    public BookingWindow? Booking { get; init; } = new();
    public TravelRules? Travel { get; init; } = TravelRules.Default;
    public CancellationPolicy? Cancellation { get; init; } = new(FreeHoursBeforeStart: 24, FeePercent: 20, MinFeeFen: 1_000, MaxFeeFen: 10_000);
    public LifecycleMinutes? Lifecycle { get; init; } = new();
    public DispatchSettings? Dispatch { get; init; } = new(DispatchMode.AutoAssign, ScoringWeights.Default);
    /// <summary>When and how near the address a worker may report arrive / start / complete (absent: the defaults).</summary>
    public VisitPolicy? Visit { get; init; } = VisitPolicy.Default;
    /// <summary>
    /// The platform commission settlement takes in this city, read-only here: its one source is the commission settings
    /// (<c>/api/admin/settings/commission</c>, a city rate or the default). Filled in when read, never stored; a PUT may
    /// echo it but not change it.
    /// </summary>
    public int? CommissionRateBps { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    public static CitySettingsDocument Defaults(string cityId) => new() { Id = IdFor(cityId), CityId = cityId };
}

/// <summary>The settings other features use: the document resolved against the city's time zone.</summary>
public sealed record CitySettings(string CityId, TimeZoneInfo Zone, CitySettingsDocument Document)
{
    public AvailabilityRules Availability => new(Document.Booking!.MinimumNoticeMinutes, Document.Booking.HorizonDays, Document.Booking.SlotStepMinutes, Document.Travel);
    public TravelRules Travel => Document.Travel!;
    public CancellationPolicy Cancellation => Document.Cancellation!;
    public LifecycleTimings Timings => Document.Lifecycle!.ToTimings();
    public DispatchMode DispatchMode => Document.Dispatch!.Mode;
    public ScoringWeights Weights => Document.Dispatch!.Weights ?? ScoringWeights.Default;
    public VisitPolicy Visit => Document.Visit ?? VisitPolicy.Default;
}

/// <summary>Reads city settings (cached briefly: they change rarely and every booking needs them) and writes them for admins.</summary>
public sealed class CitySettingsStore(CosmosDb db, CatalogStore catalog, MoneySettings money, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (CitySettings Settings, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The city's settings; 404 when the city does not exist.</summary>
    public async Task<CitySettings> GetAsync(string cityId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(cityId, out var hit) && hit.Until > now)
        {
            return hit.Settings;
        }

        var (settings, _) = await ReadAsync(cityId, ct);
        _cache[cityId] = (settings, now + CacheFor);
        return settings;
    }

    /// <summary>Uncached read with the stored document's ETag (null while the city runs on defaults).</summary>
    public async Task<(CitySettings Settings, string? ETag)> ReadAsync(string cityId, CancellationToken ct)
    {
        var city = await catalog.GetAsync<CityDocument>(CityDocument.Kind, cityId, ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(city.Document.TimeZone);
        var stored = await db.System.ReadOrNullAsync<CitySettingsDocument>(CitySettingsDocument.IdFor(cityId), CitySettingsDocument.IdFor(cityId), ct);
        var document = stored?.Resource ?? CitySettingsDocument.Defaults(cityId);
        return (new CitySettings(cityId, zone, document with { ETag = null, CommissionRateBps = null }), stored?.ETag);
    }

    /// <summary>The document as admins read it: with the commission settlement takes in the city (its city rate or the default).</summary>
    public async Task<(CitySettingsDocument Document, string? ETag)> ReadForAdminAsync(string cityId, CancellationToken ct)
    {
        var (settings, etag) = await ReadAsync(cityId, ct);
        return (settings.Document with { CommissionRateBps = await CommissionRateAsync(cityId, ct) }, etag);
    }

    private async Task<int> CommissionRateAsync(string cityId, CancellationToken ct) => (await money.CommissionAsync(ct)).RateFor(cityId, null);

    /// <summary>Creates the document (no If-Match, first write) or replaces it at <paramref name="ifMatch"/>.</summary>
    public async Task<(CitySettingsDocument Document, string ETag)> WriteAsync(string cityId, CitySettingsDocument request, string? ifMatch, CancellationToken ct)
    {
        var (_, current) = await ReadAsync(cityId, ct);
        var commission = await CommissionRateAsync(cityId, ct);
        Validate(request, commission);
        var id = CitySettingsDocument.IdFor(cityId);
        var document = request with
        {
            Id = id, Type = CitySettingsDocument.Kind, CityId = cityId, CommissionRateBps = null, UpdatedAt = time.GetUtcNow(), ETag = null,
        };
        ItemResponse<CitySettingsDocument> written;
        if (current is not null)
        {
            if (ifMatch is null)
            {
                throw new PreconditionRequiredException();
            }

            written = await db.System.ReplaceItemAsync(document, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        }
        else
        {
            try
            {
                written = await db.System.CreateItemAsync(document, new PartitionKey(id), cancellationToken: ct);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new PreconditionFailedException();
            }
        }

        _cache.TryRemove(cityId, out _);
        var (settings, _) = await ReadAsync(cityId, ct);
        return (settings.Document with { CommissionRateBps = commission }, written.ETag);
    }

    private static void Validate(CitySettingsDocument r, int commissionRateBps)
    {
        var v = new Validator();
        if (r.Booking is not { } b)
        {
            v.Add("booking", "required");
        }
        else
        {
            v.Range("booking.minimumNoticeMinutes", b.MinimumNoticeMinutes, 0, 7 * 24 * 60)
                .Range("booking.horizonDays", b.HorizonDays, 1, 365)
                .Range("booking.slotStepMinutes", b.SlotStepMinutes, 5, 240);
        }

        if (r.Travel is not { } t)
        {
            v.Add("travel", "required");
        }
        else
        {
            v.Range("travel.speedKmPerHour", t.SpeedKmPerHour, 1, 200).Range("travel.minimumMinutes", t.MinimumMinutes, 0, 240).Range("travel.roadFactor", t.RoadFactor, 1, 5);
        }

        if (r.Cancellation is not { } c)
        {
            v.Add("cancellation", "required");
        }
        else
        {
            v.Range("cancellation.freeHoursBeforeStart", c.FreeHoursBeforeStart, 0, 24 * 30).Range("cancellation.feePercent", c.FeePercent, 0, 100);
            if (c.MinFeeFen is { } min) v.Range("cancellation.minFeeFen", min, 0, PriceCalculator.MaxAmountFen);
            if (c.MaxFeeFen is { } max) v.Range("cancellation.maxFeeFen", max, 0, PriceCalculator.MaxAmountFen);
            v.Check(c.MinFeeFen is null || c.MaxFeeFen is null || c.MinFeeFen <= c.MaxFeeFen, "cancellation.minFeeFen", "min_above_max");
        }

        if (r.Lifecycle is not { } l)
        {
            v.Add("lifecycle", "required");
        }
        else
        {
            const int week = 7 * 24 * 60;
            v.Range("lifecycle.paymentTimeoutMinutes", l.PaymentTimeoutMinutes, 1, 24 * 60)
                .Range("lifecycle.acceptanceTimeoutMinutes", l.AcceptanceTimeoutMinutes, 1, 24 * 60)
                .Range("lifecycle.maxOfferRounds", l.MaxOfferRounds, 1, 20)
                .Range("lifecycle.autoConfirmMinutes", l.AutoConfirmMinutes, 1, 4 * week)
                .Range("lifecycle.complaintWindowMinutes", l.ComplaintWindowMinutes, 0, 8 * week)
                .Range("lifecycle.firstReminderMinutes", l.FirstReminderMinutes, 1, week)
                .Range("lifecycle.secondReminderMinutes", l.SecondReminderMinutes, 1, week);
        }

        if (r.Dispatch is not { } d)
        {
            v.Add("dispatch", "required");
        }
        else
        {
            v.Check(Enum.IsDefined(d.Mode), "dispatch.mode", "invalid");
            if (d.Weights is { } w)
            {
                foreach (var (name, value) in new[] { ("travel", w.Travel), ("rating", w.Rating), ("load", w.Load), ("acceptance", w.Acceptance), ("fairness", w.Fairness) })
                {
                    v.Range($"dispatch.weights.{name}", value, 0, 1);
                }

                v.Range("dispatch.weights.maxTravelMinutes", w.MaxTravelMinutes, 1, 24 * 60)
                    .Range("dispatch.weights.maxOrdersPerDay", w.MaxOrdersPerDay, 1, 100)
                    .Range("dispatch.weights.fairnessSaturationHours", w.FairnessSaturationHours, 0.1, 24 * 30);
            }
        }

        if (r.Visit is { } visit)
        {
            const int week = 7 * 24 * 60;
            v.Range("visit.earliestMinutesBeforeStart", visit.EarliestMinutesBeforeStart, 0, week)
                .Range("visit.latestMinutesAfterStart", visit.LatestMinutesAfterStart, 0, week)
                .Range("visit.latestMinutesAfterEnd", visit.LatestMinutesAfterEnd, 0, week)
                .Range("visit.geofenceMeters", visit.GeofenceMeters, 50, 10_000);
        }

        v.Check(r.CommissionRateBps is null || r.CommissionRateBps == commissionRateBps, "commissionRateBps", "read_only", "/api/admin/settings/commission");
        v.ThrowIfInvalid();
    }
}
