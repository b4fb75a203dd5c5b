using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Catalog;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Scheduling;

/// <summary>
/// A worker who may serve a request, with the calendar document (and its ETag) it was judged on. When
/// <see cref="CalendarComplete"/> is false the calendar is a projection (only the reservations of the asked range) and
/// must not be written back; when true it is the whole stored document, so a conditional replace at its ETag is safe.
/// </summary>
public sealed record Candidate(WorkerDocument Worker, CandidateWorker Domain, CalendarDocument Calendar, bool CalendarComplete = true)
{
    public long? OwnPriceFen(string itemId) => Worker.Skills.FirstOrDefault(s => s.ItemId == itemId)?.OwnPriceFen;
}

/// <summary>What a booking or an availability query is about: the item, the caller's address, the city's rules.</summary>
public sealed record ServiceRequest(ItemDocument Item, AddressDocument Address, CitySettings Settings)
{
    public ServiceItemSpec Spec => new(Item.Id, Item.DurationMinutes, Item.BufferMinutes);
    public GeoPoint Location => new(Address.Latitude, Address.Longitude);
}

/// <summary>Loads candidates: one cross-partition query on `workers`, then one on `schedules` for their plans and calendars.</summary>
public sealed class Candidates(CosmosDb db, WorkerSchedules schedules, CatalogStore catalog, Addresses addresses, CitySettingsStore settings)
{
    /// <summary>Item and address (the caller's own) resolved; unknown or unusable ones are 400s naming the field.</summary>
    public async Task<ServiceRequest> ResolveAsync(string userId, string itemId, string addressId, CancellationToken ct)
    {
        var item = await catalog.FindBookableItemAsync(itemId, ct);
        var address = await addresses.FindAsync(userId, addressId, ct);
        var v = new Validator()
            .Check(item is { Active: true }, "itemId", "unknown_reference")
            .Check(address is not null, "addressId", "unknown_reference");
        v.ThrowIfInvalid();
        v.Check(item!.CityIds.Contains(address!.CityId), "itemId", "not_offered_in_city").ThrowIfInvalid();
        return new ServiceRequest(item, address, await settings.GetAsync(address.CityId, ct));
    }

    public Task<IReadOnlyList<Candidate>> ForAsync(ServiceRequest request, string workerId, DateTimeOffset now, CancellationToken ct) =>
        ForAsync(request.Address.CityId, request.Item.Id, workerId, now, ct);

    /// <summary>How many workers an availability query or an auto-assigned booking considers: the nearest this many who cover the address.</summary>
    public const int NearestLimit = 40;

    /// <summary>How many workers "choose a worker" lists at most: the nearest this many who cover the address.</summary>
    public const int ChoiceLimit = 100;

    /// <summary>Reads beyond the home-cell blocks at most: each asks past the rows before it, for as many as are still wanted.</summary>
    private const int MaxReadsPastTheRings = 3;

    /// <summary>Reservations and exceptions this far outside the asked range are still read: a booking late the day before can clash through travel and buffer.</summary>
    private static readonly TimeSpan RangeMargin = TimeSpan.FromDays(1);

    /// <summary>What a worker row of a nearest-first read carries when only scheduling needs it: the one skill asked for, no audit or offer history.</summary>
    private const string SchedulingFields =
        "c.id, c.type, c.status, c.realName, c.idNumberMasked, c.idNumberHash, c.cityId, c.createdAt, c.accepting, c.serviceRadiusKm, c.homeBase, c.rating, " +
        "ARRAY(SELECT VALUE s FROM s IN c.skills WHERE s.itemId = @item) AS skills";

    /// <summary>
    /// The <paramref name="limit"/> workers nearest the request's address among those who cover it (approved, accepting, offering the
    /// item, within their own radius), read so the cost follows the workers near the address, not the city: those whose home base is
    /// in the 3 × 3 block of precision-5 cells around it (≈ 15 km); when that block has more than <paramref name="limit"/>, also those
    /// in the precision-6 block (≈ 2–4 km), so the nearest are in; when it has fewer, any others who cover it — each read at most
    /// <paramref name="limit"/> rows (in id order inside a block). Typically two reads; one where the area was seen before
    /// (<see cref="areas"/>): its inner block where its addresses were mostly dense (the inner block alone full), both blocks in one
    /// query where mostly medium (the outer block full, the inner not), all covering workers where the city has fewer than the limit. Plans and calendars come as projections of the local dates <paramref name="first"/>..<paramref name="last"/> (a day's
    /// margin each side): plan windows and exceptions of the range, reservations overlapping it — so
    /// <see cref="Candidate.CalendarComplete"/> is false and a calendar change must read the whole document.
    /// With <paramref name="fullProfiles"/> the worker rows are whole documents (the worker choice shows cards from them); with
    /// <paramref name="forRanking"/> they carry the offer history too (auto-assign's acceptance-rate term). With
    /// <paramref name="wholeCalendars"/> calendars are the stored documents (<see cref="Candidate.CalendarComplete"/>): a booking
    /// holds time at the ETag it read them with, without reading again.
    /// </summary>
    public Task<IReadOnlyList<Candidate>> NearestAsync(
        ServiceRequest request, DateOnly first, DateOnly last, DateTimeOffset now, CancellationToken ct,
        int limit = NearestLimit, bool fullProfiles = false, bool forRanking = false, bool wholeCalendars = false) =>
        NearestAsync(request.Address.CityId, request.Item.Id, request.Location, request.Settings.Zone, first, last, now, ct, limit, fullProfiles, forRanking, wholeCalendars);

    /// <summary>The same for an order's city, item and address (dispatch), the local dates in <paramref name="zone"/>.</summary>
    public async Task<IReadOnlyList<Candidate>> NearestAsync(
        string cityId, string itemId, GeoPoint point, TimeZoneInfo zone, DateOnly first, DateOnly last, DateTimeOffset now, CancellationToken ct,
        int limit = NearestLimit, bool fullProfiles = false, bool forRanking = false, bool wholeCalendars = false)
    {
        var (where, parameters) = Filter(cityId, itemId, null, point);
        var select = fullProfiles ? "*" : forRanking ? SchedulingFields + ", c.offers" : SchedulingFields;
        var found = new Dictionary<string, (WorkerDocument Worker, double Meters)>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // One read: TOP `top` rows of the ring (home base in the 3 × 3 block of `field` cells; null: anywhere), past the ids already
        // seen; with `cutoff`, of the outer block those in the inner block or with an id up to it (a remembered medium area's one read).
        async Task<IReadOnlyList<WorkerDocument>> ReadAsync(string? field, int precision, int top, string? cutoff = null)
        {
            var text = $"SELECT TOP {top} {select} FROM c WHERE {where}" + (seen.Count == 0 ? "" : " AND NOT ARRAY_CONTAINS(@seen, c.id)") +
                       (field is null ? "" : $" AND ARRAY_CONTAINS(@ring, c.{field})") +
                       (cutoff is null ? "" : " AND (ARRAY_CONTAINS(@inner, c.homeCell6) OR c.id <= @cutoff)") + " ORDER BY c.id";
            var query = new QueryDefinition(text).WithParameters(parameters);
            query = seen.Count == 0 ? query : query.WithParameter("@seen", seen.ToArray());
            query = field is null ? query : query.WithParameter("@ring", GeoCells.Neighborhood(point, precision));
            query = cutoff is null ? query : query.WithParameter("@inner", GeoCells.Neighborhood(point, GeoCells.InnerRingPrecision)).WithParameter("@cutoff", cutoff);
            var rows = await db.Workers.QueryAllAsync<WorkerDocument>(query, null, ct);
            foreach (var w in rows)
            {
                seen.Add(w.Id);
                if (w.HomeBase is { } home && home.ToPoint().DistanceMetersTo(point) is var meters && meters <= w.ServiceRadiusKm * 1000)
                {
                    found.TryAdd(w.Id, (w, meters));
                }
            }

            return rows;
        }

        // What the app learnt of the area (city, item, precision-5 cell) picks a first read that can stand alone; the read checks
        // it, and where this address differs from those that taught it, a second read makes up the usual two reads' rows:
        // - sparse (the whole city held fewer covering workers than the limit): all of them; short again, it holds every one;
        // - addresses of the cell mostly dense (their inner block, ≈ 2–4 km, alone held a full read): the inner block; full, it
        //   is the nearest, and the outer block's read would only have been passed over. Short, it held every inner-block
        //   worker, and the outer block's read (past them) completes the usual two reads' rows;
        // - mostly medium (the outer block full, the inner block not): in one read, the outer block's rows in the inner block or
        //   with an id up to the last one the outer block's full read took (TOP twice the limit, by id). Not cut by its TOP, it
        //   holds the inner block's whole and every outer row up to that id: the limit of those again is the usual outer read (or
        //   a superset), fewer are made up by the outer block's read past them. Cut (a dense address), with exactly the limit up
        //   to that id, it is the usual two reads' rows (the first outer rows by id, then the inner block's first past them).
        // Each read tells whether its address was dense, which moves the cell's lean (<see cref="AreaHint.DenseLean"/>).
        // Otherwise (the area grew or thinned out) the usual reads follow, past its rows, and the area is forgotten.
        var area = (cityId, itemId, GeoCells.Encode(point, GeoCells.OuterRingPrecision), limit);
        if (areas.TryGetValue(area, out var hint))
        {
            if (hint.Sparse)
            {
                if ((await ReadAsync(null, 0, limit)).Count < limit)
                {
                    return await WithSchedulesAsync(everyoneRead: true);
                }
            }
            else if (hint.DenseLean > 0 || hint.Cutoff is null)
            {
                var dense = (await ReadAsync("homeCell6", GeoCells.InnerRingPrecision, limit)).Count == limit;
                if (!dense)
                {
                    _ = await ReadAsync("homeCell5", GeoCells.OuterRingPrecision, limit);
                }

                Remember(area, hint.After(dense));
                return await WithSchedulesAsync(everyoneRead: false);
            }
            else
            {
                var rows = await ReadAsync("homeCell5", GeoCells.OuterRingPrecision, 2 * limit, hint.Cutoff);
                var upToCutoff = rows.Count(w => string.CompareOrdinal(w.Id, hint.Cutoff) <= 0);
                if (rows.Count < 2 * limit)
                {
                    if (upToCutoff < limit)
                    {
                        _ = await ReadAsync("homeCell5", GeoCells.OuterRingPrecision, limit - upToCutoff);
                    }

                    Remember(area, hint.After(dense: false));
                    return await WithSchedulesAsync(everyoneRead: false);
                }

                if (upToCutoff == limit)
                {
                    Remember(area, hint.After(dense: true));
                    return await WithSchedulesAsync(everyoneRead: false);
                }
            }

            areas.TryRemove(area, out _);
        }

        // The outer block first (≈ 15 km across). Full: the area is dense, so the inner block makes sure the nearest are in. Not full:
        // it held every covering worker whose home is in it, and the rest of the city may still cover the address.
        if (await ReadAsync("homeCell5", GeoCells.OuterRingPrecision, limit) is { Count: var outer } outerRows && outer == limit)
        {
            var dense = (await ReadAsync("homeCell6", GeoCells.InnerRingPrecision, limit)).Count == limit; // past the outer block's rows
            Remember(area, new AreaHint(Sparse: false, outerRows[^1].Id, 0).After(dense));
        }

        return await WithSchedulesAsync(everyoneRead: false);

        async Task<IReadOnlyList<Candidate>> WithSchedulesAsync(bool everyoneRead)
        {
            // Too few in the blocks: covering workers anywhere else, as many as are missing. The query checks their reach, so a row the
            // exact radius rejects (one inside the query's slack) is rare; it is skipped and asked past, a few times at most.
            for (var attempt = 0; !everyoneRead && attempt < MaxReadsPastTheRings && found.Count < limit; attempt++)
            {
                var asked = limit - found.Count;
                if ((await ReadAsync(null, 0, asked)).Count < asked)
                {
                    // No more covering workers anywhere. Fewer in all than the limit: one read of the city holds them all next time.
                    if (seen.Count < limit)
                    {
                        Remember(area, new AreaHint(Sparse: true, null, 0));
                    }

                    break;
                }
            }

            var nearest = found.Values.OrderBy(f => f.Meters).ThenBy(f => f.Worker.Id, StringComparer.Ordinal).Take(limit).Select(f => f.Worker).ToList();
            var range = new ScheduleRange(ZoneTime.ToUtc(first, 0, zone) - RangeMargin, ZoneTime.ToUtc(last.AddDays(1), 0, zone) + RangeMargin,
                first.AddDays(-1), last.AddDays(1));
            var (plans, calendars) = await schedules.ForWorkersAsync([.. nearest.Select(w => w.Id)], wholeCalendars ? null : range, ct);
            return [.. nearest.Select(w => Of(w, plans, calendars, now, complete: wholeCalendars))];
        }
    }

    /// <summary>
    /// What an area was found to be: <paramref name="Sparse"/> (the whole city held fewer covering workers than the limit), or
    /// the last id of its outer block's full read (<paramref name="Cutoff"/>) and a lean between dense and medium addresses
    /// (<paramref name="DenseLean"/>, −3..3: each dense address +1, each medium one −1; above 0 the inner block is read first).
    /// </summary>
    private sealed record AreaHint(bool Sparse, string? Cutoff, int DenseLean)
    {
        public AreaHint After(bool dense) => this with { DenseLean = Math.Clamp(DenseLean + (dense ? 1 : -1), -3, 3) };
    }

    /// <summary>
    /// Areas (city, item, precision-5 cell of the address, limit) and what they were found to be: a hint for which read comes
    /// first, checked by that read (one that does not confirm it falls back to the usual reads), so it is never wrong, only
    /// sometimes one read short of its best. Per process; bounded by starting over when it holds <see cref="AreasKept"/>.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string City, string Item, string Cell, int Limit), AreaHint> areas = new();

    internal const int AreasKept = 50_000;

    /// <summary>
    /// Called on every read of a seen area (its lean moves), so it stays off the dictionary's locks when it can: an unchanged
    /// hint is not written again, and the size (which takes every lock) is looked at only when a new area is added.
    /// </summary>
    private void Remember((string, string, string, int) area, AreaHint hint)
    {
        if (areas.TryGetValue(area, out var known))
        {
            if (known != hint)
            {
                areas[area] = hint;
            }

            return;
        }

        if (areas.Count >= AreasKept)
        {
            areas.Clear();
        }

        areas[area] = hint;
    }

    /// <summary>
    /// The named worker, if approved, accepting, of the city and offering the item (else none), with their whole plan and
    /// calendar: judged exactly, wherever they live (an address outside their area must say so: outside_service_radius).
    /// </summary>
    public async Task<IReadOnlyList<Candidate>> ForAsync(string cityId, string itemId, string workerId, DateTimeOffset now, CancellationToken ct)
    {
        var (where, parameters) = Filter(cityId, itemId, workerId, null);
        var query = new QueryDefinition($"SELECT * FROM c WHERE {where}").WithParameters(parameters);
        var workers = (await db.Workers.QueryAllAsync<WorkerDocument>(query, workerId, ct)).Where(w => w.HomeBase is not null).ToList();
        var (plans, calendars) = await schedules.ForWorkersAsync([.. workers.Select(w => w.Id)], null, ct);
        return [.. workers.Select(w => Of(w, plans, calendars, now, complete: true))];
    }

    private static Candidate Of(
        WorkerDocument w, Dictionary<string, PlanDocument> plans, Dictionary<string, CalendarDocument> calendars, DateTimeOffset now, bool complete)
    {
        var plan = plans.GetValueOrDefault(w.Id) ?? PlanDocument.Empty(w.Id);
        var calendar = calendars.GetValueOrDefault(w.Id) ?? CalendarDocument.Empty(w.Id);
        return new Candidate(w, ToDomain(w, plan, calendar.ToCalendar(now)), calendar, complete);
    }

    /// <summary>
    /// The candidate filter: approved, accepting workers of the city offering the item (one of them with <paramref name="workerId"/>);
    /// with <paramref name="near"/>, only those whose cells contain it, or written before cells existed (until the backfill timer
    /// writes them), and whose own radius about reaches it (<see cref="WorkerReach"/>: rows the radius rejects would otherwise count
    /// towards a read's TOP and be made up by reads past the rings; the haversine check of each row decides).
    /// </summary>
    private static (string Where, Dictionary<string, object> Parameters) Filter(string cityId, string itemId, string? workerId, GeoPoint? near)
    {
        var where = "c.type = 'worker' AND c.status = @approved AND c.accepting = true AND c.cityId = @city AND ARRAY_CONTAINS(c.skillItemIds, @item)";
        var parameters = new Dictionary<string, object> { ["@approved"] = "approved", ["@city"] = cityId, ["@item"] = itemId };
        if (workerId is not null)
        {
            where += " AND c.id = @worker";
            parameters["@worker"] = workerId;
        }

        if (near is { } point)
        {
            where += " AND " + WorkerReach.Covering(point, parameters, orWithoutCells: true);
        }

        return (where, parameters);
    }

    public static CandidateWorker ToDomain(WorkerDocument w, PlanDocument plan, WorkerCalendar calendar) => new(
        w.Id, w.Status == AuditStatus.Approved, w.Accepting, [.. w.Skills.Select(s => new OfferedItem(s.ItemId, s.OwnPriceFen))],
        w.HomeBase!.ToPoint(), w.ServiceRadiusKm, plan.ToPlan(), plan.ToExceptions(), calendar, w.Rating.Average);
}
