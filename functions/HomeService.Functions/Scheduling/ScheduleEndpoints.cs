using System.Globalization;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Auth;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Scheduling;

public sealed record PlanView(IReadOnlyList<DayPlanDto> Days);

public sealed record ExceptionsView(IReadOnlyList<DateExceptionDto> Exceptions);

public sealed record WindowView(DateTimeOffset Start, DateTimeOffset End, DateOnly LocalDate);

public sealed record ReservationView(string OrderId, DateTimeOffset Start, DateTimeOffset End, DateOnly LocalDate, string LocalStart, string LocalEnd, bool Held);

public sealed record CalendarView(string TimeZone, DateOnly From, DateOnly To, IReadOnlyList<WindowView> Windows, IReadOnlyList<ReservationView> Reservations);

public sealed record SlotView(DateTimeOffset Start, int WorkerCount);

public sealed record AvailabilityView(string TimeZone, int StepMinutes, int DurationMinutes, IReadOnlyList<SlotView> Slots);

/// <summary>Worker schedule (/api/worker/schedule), customer availability (/api/customer/availability), admin city settings.</summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder routes)
    {
        var worker = routes.MapGroup("/api/worker/schedule").WithTags("Worker schedule").RequireAuthorization(Roles.Worker);

        worker.MapGet("/plan", async Task<Ok<PlanView>> (HttpContext http, WorkerSchedules store, CancellationToken ct) =>
        {
            var plan = await store.GetPlanAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, plan.ETag);
            return TypedResults.Ok(new PlanView(plan.Days));
        }).WithSummary("My weekly plan (local times in my city's zone)");

        worker.MapPut("/plan", async Task<Ok<PlanView>> (PlanRequest request, HttpContext http, WorkerSchedules store, CancellationToken ct) =>
        {
            var saved = await store.SavePlanAsync(http.User.UserId(), IfMatchOrNull(http.Request), p => p with { Days = request.Days ?? [] }, ct);
            ETags.Set(http.Response, saved.ETag);
            return TypedResults.Ok(new PlanView(saved.Days));
        }).WithSummary("Replace my weekly plan (If-Match once it exists)").AcceptsIfMatch(requiredOnceExists: true).ProducesValidationProblem();

        worker.MapGet("/exceptions", async Task<Ok<ExceptionsView>> (HttpContext http, WorkerSchedules store, CancellationToken ct) =>
        {
            var plan = await store.GetPlanAsync(http.User.UserId(), ct);
            ETags.Set(http.Response, plan.ETag);
            return TypedResults.Ok(new ExceptionsView(plan.Exceptions));
        }).WithSummary("My date exceptions (days off, extra or replaced hours)");

        worker.MapPut("/exceptions", async Task<Ok<ExceptionsView>> (ExceptionsRequest request, HttpContext http, WorkerSchedules store, CancellationToken ct) =>
        {
            var saved = await store.SavePlanAsync(http.User.UserId(), IfMatchOrNull(http.Request), p => p with { Exceptions = request.Exceptions ?? [] }, ct);
            ETags.Set(http.Response, saved.ETag);
            return TypedResults.Ok(new ExceptionsView(saved.Exceptions));
        }).WithSummary("Replace my date exceptions (If-Match once the plan exists)").AcceptsIfMatch(requiredOnceExists: true).ProducesValidationProblem();

        worker.MapGet("/", async Task<Ok<CalendarView>> (string? from, string? to, HttpContext http, WorkerSchedules store, CatalogStore catalog, TimeProvider time, CancellationToken ct) =>
        {
            var workerId = http.User.UserId();
            var (first, last) = DateRange(from, to, maxDays: 62);
            var profile = await store.FindWorkerAsync(workerId, ct) ?? throw new NotFoundException("res.worker", workerId);
            var city = await catalog.GetAsync<CityDocument>(CityDocument.Kind, profile.CityId, ct);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(city.Document.TimeZone);
            var plan = await store.GetPlanAsync(workerId, ct);
            var calendar = await store.GetCalendarAsync(workerId, ct);
            var now = time.GetUtcNow();
            var windows = WorkingWindows.For(plan.ToPlan(), plan.ToExceptions(), first, last, zone)
                .Select(w => new WindowView(w.Start, w.End, LocalDate(w.Start, zone))).ToList();
            var lower = ZoneTime.ToUtc(first, 0, zone);
            var upper = ZoneTime.ToUtc(last.AddDays(1), 0, zone);
            var reservations = calendar.Reservations
                .Where(r => r.End > lower && r.Start < upper && (r.HoldUntil is null || r.HoldUntil > now))
                .Select(r => new ReservationView(r.OrderId, r.Start, r.End, LocalDate(r.Start, zone), LocalTime(r.Start, zone), LocalTime(r.End, zone), r.HoldUntil is not null))
                .ToList();
            return TypedResults.Ok(new CalendarView(city.Document.TimeZone, first, last, windows, reservations));
        }).WithSummary("My calendar for local dates from..to: working windows and reservations (UTC, with local dates)");

        routes.MapGroup("/api/customer").RequireAuthorization(Roles.Customer).WithTags("Booking")
            .MapGet("/availability", async Task<Ok<AvailabilityView>> (
                string? itemId, string? addressId, string? from, string? to, string? workerId,
                HttpContext http, Candidates candidates, TimeProvider time, CancellationToken ct) =>
            {
                var v = new Validator().Required("itemId", itemId, 64).Required("addressId", addressId, 64);
                v.ThrowIfInvalid();
                var (first, last) = DateRange(from, to, maxDays: AvailabilityCalculator.MaxRangeDays);
                var request = await candidates.ResolveAsync(http.User.UserId(), itemId!, addressId!, ct);
                var now = time.GetUtcNow();
                // A named worker is read exactly; otherwise the nearest who cover the address (Candidates.NearestLimit), so the cost follows them, not the city.
                var workers = string.IsNullOrEmpty(workerId)
                    ? await candidates.NearestAsync(request, first, last, now, ct)
                    : await candidates.ForAsync(request, workerId, now, ct);
                var query = new AvailabilityQuery(request.Spec, request.Location, first, last, string.IsNullOrEmpty(workerId) ? null : workerId, now,
                    request.Settings.Zone, request.Settings.Availability);
                var result = AvailabilityCalculator.Find(query, [.. workers.Select(c => c.Domain)]);
                if (!result.IsValid)
                {
                    throw new ValidationFailedException([.. result.Errors.Select(e => new FieldError(e.Field, e.Code))]);
                }

                return TypedResults.Ok(new AvailabilityView(request.Settings.Zone.Id, request.Settings.Availability.StepMinutes, request.Item.DurationMinutes,
                    [.. result.Slots.Select(s => new SlotView(s.Start, s.WorkerCount))]));
            }).WithSummary("Bookable starts for an item at one of my addresses over local dates from..to (≤ 30 days), with how many of the nearest workers who cover the address (at most 40) can take each")
            .ProducesValidationProblem();

        var admin = routes.MapGroup("/api/admin/cities").WithTags("City settings").RequireAuthorization(Roles.Admin);
        admin.MapGet("/{cityId}/settings", async Task<Ok<CitySettingsDocument>> (string cityId, HttpResponse response, CitySettingsStore store, CancellationToken ct) =>
        {
            var (document, etag) = await store.ReadForAdminAsync(cityId, ct);
            ETags.Set(response, etag);
            return TypedResults.Ok(document);
        }).WithSummary("A city's booking, cancellation, lifecycle, dispatch and visit settings (defaults until first saved); commissionRateBps is read-only, from the commission settings");

        admin.MapPut("/{cityId}/settings", async Task<Ok<CitySettingsDocument>> (string cityId, CitySettingsDocument request, HttpContext http, CitySettingsStore store, CancellationToken ct) =>
        {
            var (document, etag) = await store.WriteAsync(cityId, request, IfMatchOrNull(http.Request), ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(document);
        }).WithSummary("Replace a city's settings (If-Match once saved)").AcceptsIfMatch(requiredOnceExists: true).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);

        return routes;
    }

    /// <summary>If-Match when the client sent one; the stores decide whether it was required.</summary>
    private static string? IfMatchOrNull(HttpRequest request) =>
        string.IsNullOrWhiteSpace(request.Headers.IfMatch.ToString()) ? null : ETags.RequireIfMatch(request);

    private static readonly DateOnly FirstSupportedDate = new(2000, 1, 1);
    private static readonly DateOnly LastSupportedDate = new(2199, 12, 31);
    private static readonly string FirstSupportedText = FirstSupportedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static readonly string LastSupportedText = LastSupportedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static (DateOnly From, DateOnly To) DateRange(string? from, string? to, int maxDays)
    {
        var v = new Validator();
        DateOnly first = default, last = default;
        if (string.IsNullOrEmpty(from)) v.Add("from", "required");
        else if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first)) v.Add("from", "invalid_date");
        if (string.IsNullOrEmpty(to)) v.Add("to", "required");
        else if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out last)) v.Add("to", "invalid_date");
        v.ThrowIfInvalid();
        // Far dates would overflow the conversion of a city's local midnights to UTC (0001-01-01 in +08:00).
        v.Check(first >= FirstSupportedDate && first <= LastSupportedDate, "from", "out_of_range", FirstSupportedText, LastSupportedText)
            .Check(last >= FirstSupportedDate && last <= LastSupportedDate, "to", "out_of_range", FirstSupportedText, LastSupportedText);
        v.ThrowIfInvalid();
        v.Check(last >= first, "to", "before_from").Check(last < first || last.DayNumber - first.DayNumber < maxDays, "to", "range_too_long", maxDays);
        v.ThrowIfInvalid();
        return (first, last);
    }

    private static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(ZoneTime.ToLocal(instant, zone));

    private static string LocalTime(DateTimeOffset instant, TimeZoneInfo zone) =>
        ZoneTime.ToLocal(instant, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
}
