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
        var item = (await catalog.FindAsync<ItemDocument>(ItemDocument.Kind, itemId, ct))?.Document;
        var address = await addresses.FindAsync(userId, addressId, ct);
        var v = new Validator()
            .Check(item is { Active: true }, "itemId", "unknown_reference")
            .Check(address is not null, "addressId", "unknown_reference");
        v.ThrowIfInvalid();
        v.Check(item!.CityIds.Contains(address!.CityId), "itemId", "not_offered_in_city").ThrowIfInvalid();
        return new ServiceRequest(item, address, await settings.GetAsync(address.CityId, ct));
    }

    public Task<IReadOnlyList<Candidate>> ForAsync(ServiceRequest request, string? workerId, DateTimeOffset now, CancellationToken ct) =>
        ForAsync(request.Address.CityId, request.Item.Id, workerId, now, ct, request.Location);

    /// <summary>
    /// Approved, accepting workers of the city who offer the item (one of them when <paramref name="workerId"/> is given);
    /// with <paramref name="near"/> and no <paramref name="workerId"/>, only those whose geohash cells contain it (<see cref="GeoCells"/>), so the read
    /// follows the workers who may reach the address, not the city. A document written before cells existed is read too.
    /// </summary>
    public async Task<IReadOnlyList<Candidate>> ForAsync(string cityId, string itemId, string? workerId, DateTimeOffset now, CancellationToken ct, GeoPoint? near = null)
    {
        var where = "c.type = 'worker' AND c.status = @approved AND c.accepting = true AND c.cityId = @city AND ARRAY_CONTAINS(c.skillItemIds, @item)";
        var parameters = new Dictionary<string, object> { ["@approved"] = "approved", ["@city"] = cityId, ["@item"] = itemId };
        if (workerId is not null)
        {
            where += " AND c.id = @worker";
            parameters["@worker"] = workerId;
        }

        // A named worker is one document anyway, and an address outside their area must say so (outside_service_radius).
        if (near is { } point && workerId is null)
        {
            var keys = GeoCells.Keys(point);
            where += " AND (NOT IS_DEFINED(c.geoCells) OR " + string.Join(" OR ", keys.Select((_, i) => $"ARRAY_CONTAINS(c.geoCells, @cell{i})")) + ")";
            for (var i = 0; i < keys.Count; i++)
            {
                parameters[$"@cell{i}"] = keys[i];
            }
        }

        // Keyset pages by id: a city has more workers than one query page.
        var workers = (await db.Workers.QueryAllByKeyAsync<WorkerDocument>("*", where, parameters, "id", w => w.Id, ct))
            .Where(w => w.HomeBase is not null).ToList();
        var (plans, calendars) = await schedules.ForWorkersAsync([.. workers.Select(w => w.Id)], ct);
        return [.. workers.Select(w =>
        {
            var plan = plans.GetValueOrDefault(w.Id) ?? PlanDocument.Empty(w.Id);
            var calendar = calendars.GetValueOrDefault(w.Id) ?? CalendarDocument.Empty(w.Id);
            return new Candidate(w, ToDomain(w, plan, calendar.ToCalendar(now)), calendar);
        })];
    }

    public static CandidateWorker ToDomain(WorkerDocument w, PlanDocument plan, WorkerCalendar calendar) => new(
        w.Id, w.Status == AuditStatus.Approved, w.Accepting, [.. w.Skills.Select(s => new OfferedItem(s.ItemId, s.OwnPriceFen))],
        w.HomeBase!.ToPoint(), w.ServiceRadiusKm, plan.ToPlan(), plan.ToExceptions(), calendar, w.Rating.Average);
}
