using System.Globalization;
using HomeService.Domain.Common;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Workers;

/// <summary>
/// One worker a customer may choose for an item at an address: the public card (never ID, documents or phone) with the
/// certificates the platform verified at approval (<c>skill</c>, <c>health</c> — kinds only, never the files), the
/// distance from their home base, their price for the item (their own or the catalogue's) and their soonest bookable start
/// within <see cref="WorkerChoices.SoonestDays"/> days.
/// </summary>
public sealed record WorkerChoiceView(
    string Id, string DisplayName, string? Gender, int YearsOfExperience, string? Intro, IReadOnlyList<WorkerSkill> Skills, RatingSummary Rating,
    IReadOnlyList<string> VerifiedCertificates, Uri? AvatarUrl, double DistanceKm, long PriceFen, DateTimeOffset? SoonestStart);

public sealed record WorkerChoicePage(IReadOnlyList<WorkerChoiceView> Items, string? ContinuationToken);

/// <summary>The filters and order of a worker list; parsed and checked by <see cref="Parse"/>.</summary>
public sealed record WorkerChoiceQuery(
    double? MinRating, int? MinYears, string? Certificate, string? Gender, long? MinPriceFen, long? MaxPriceFen, DateOnly? FreeOn, string Sort, int PageSize)
{
    public static readonly string[] Sorts = ["rating", "distance", "price", "soonest"];
    public static readonly string[] Certificates = ["skill", "health"];
    public static readonly string[] Genders = ["male", "female"];

    public static WorkerChoiceQuery Parse(
        double? minRating, int? minYears, string? certificate, string? gender, long? minPrice, long? maxPrice, string? freeOn, string? sort, int? pageSize)
    {
        var v = new Validator().PageSize(pageSize);
        if (minRating is { } r) v.Range("minRating", r, 0, 5);
        if (minYears is { } y) v.Range("minYears", y, 0, 80);
        if (minPrice is { } lo) v.Range("minPrice", lo, 0, long.MaxValue);
        if (maxPrice is { } hi) v.Range("maxPrice", hi, 0, long.MaxValue);
        v.Check(minPrice is null || maxPrice is null || minPrice <= maxPrice, "minPrice", "min_above_max")
            .Check(certificate is null || Certificates.Contains(certificate), "certificate", "invalid_choice", string.Join(", ", Certificates))
            .Check(gender is null || Genders.Contains(gender), "gender", "invalid_choice", string.Join(", ", Genders))
            .Check(sort is null || Sorts.Contains(sort), "sort", "invalid_choice", string.Join(", ", Sorts));
        DateOnly? date = null;
        if (!string.IsNullOrEmpty(freeOn))
        {
            if (DateOnly.TryParseExact(freeOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) date = d;
            else v.Add("freeOn", "invalid_date");
        }

        v.ThrowIfInvalid();
        return new(minRating, minYears, certificate, gender, minPrice, maxPrice, date, sort ?? "rating", pageSize ?? Paging.DefaultPageSize);
    }
}

/// <summary>"Choose a worker" (SPEC §2): the workers who can serve an item at one of the customer's addresses, filtered, sorted, paged.</summary>
public sealed class WorkerChoices(Candidates candidates, UploadStore uploads, TimeProvider time)
{
    /// <summary>How far ahead the soonest start is looked for (local days, today included).</summary>
    public const int SoonestDays = 7;

    private sealed record Row(Candidate Candidate, double DistanceKm, long PriceFen, DateTimeOffset? Soonest, string Key);

    public async Task<WorkerChoicePage> ListAsync(string userId, string itemId, string addressId, WorkerChoiceQuery q, string? continuationToken, CancellationToken ct)
    {
        var request = await candidates.ResolveAsync(userId, itemId, addressId, ct);
        var now = time.GetUtcNow();
        var zone = request.Settings.Zone;
        var today = DateOnly.FromDateTime(ZoneTime.ToLocal(now, zone));
        var lastDay = today.AddDays(SoonestDays - 1);
        var found = await candidates.NearestAsync(request, q.FreeOn is { } f && f < today ? f : today, q.FreeOn is { } g && g > lastDay ? g : lastDay, now, ct,
            Candidates.ChoiceLimit, fullProfiles: true);
        var soonest = FirstStarts(request, found, today, lastDay, now);
        var freeThatDay = q.FreeOn is { } day ? FirstStarts(request, found, day, day, now) : null;

        var rows = found
            .Where(c => q.MinRating is not { } r || c.Worker.Rating.Average >= r)
            .Where(c => q.MinYears is not { } y || c.Worker.YearsOfExperience >= y)
            .Where(c => q.Gender is null || c.Worker.Gender == q.Gender)
            .Where(c => q.Certificate is null || Verified(c.Worker).Contains(q.Certificate))
            .Where(c => freeThatDay is null || freeThatDay.ContainsKey(c.Worker.Id))
            .Select(c =>
            {
                var km = c.Worker.HomeBase!.ToPoint().DistanceMetersTo(request.Location) / 1000;
                var price = c.OwnPriceFen(itemId) ?? request.Item.PriceFen;
                var first = soonest.TryGetValue(c.Worker.Id, out var s) ? s : (DateTimeOffset?)null;
                return new Row(c, Math.Round(km, 2), price, first, SortKey(q.Sort, c.Worker, km, price, first));
            })
            .Where(r => (q.MinPriceFen is not { } lo || r.PriceFen >= lo) && (q.MaxPriceFen is not { } hi || r.PriceFen <= hi))
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .ToList();

        var fingerprint = ContinuationTokens.Fingerprint("workers", userId, itemId, addressId, q.MinRating, q.MinYears, q.Certificate, q.Gender,
            q.MinPriceFen, q.MaxPriceFen, q.FreeOn, q.Sort);
        var after = ContinuationTokens.Unwrap(continuationToken, fingerprint);
        var rest = after is null ? rows : rows.Where(r => string.CompareOrdinal(r.Key, after) > 0).ToList();
        var page = rest.Take(q.PageSize).ToList();
        var views = new List<WorkerChoiceView>(page.Count);
        foreach (var r in page)
        {
            var w = r.Candidate.Worker;
            var avatar = await uploads.ReadUrlForAsync(w.Id, w.Documents.Avatar, ct);
            views.Add(new WorkerChoiceView(w.Id, WorkerCard.DisplayNameOf(w.RealName), w.Gender, w.YearsOfExperience, w.Intro, w.Skills, w.Rating,
                Verified(w), avatar?.Url, r.DistanceKm, r.PriceFen, r.Soonest));
        }

        return new WorkerChoicePage(views, rest.Count > page.Count ? ContinuationTokens.Wrap(page[^1].Key, fingerprint) : null);
    }

    /// <summary>Certificates an approved worker holds: the audit checked them before approval (a re-audited new one waits in the pending change).</summary>
    public static IReadOnlyList<string> Verified(WorkerDocument w) =>
        [.. new[] { ("skill", w.Documents.SkillCertificate), ("health", w.Documents.HealthCertificate) }.Where(c => c.Item2 is not null).Select(c => c.Item1)];

    /// <summary>Each worker's first bookable start over the local dates, with the city's booking rules.</summary>
    private static Dictionary<string, DateTimeOffset> FirstStarts(ServiceRequest request, IReadOnlyList<Candidate> found, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        var result = AvailabilityCalculator.Find(new AvailabilityQuery(request.Spec, request.Location, from, to, null, now, request.Settings.Zone,
            request.Settings.Availability), [.. found.Select(c => c.Domain)]);
        var first = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var slot in result.Slots)
        {
            foreach (var id in slot.WorkerIds)
            {
                first.TryAdd(id, slot.Start);
            }
        }

        return first;
    }

    /// <summary>Ordinal order of the key is the list's order; the id makes it unique, so it is also the keyset position.</summary>
    private static string SortKey(string sort, WorkerDocument w, double km, long price, DateTimeOffset? soonest) => sort switch
    {
        "distance" => $"{(long)Math.Round(km * 1000):D10}|{w.Id}",
        "price" => $"{price:D19}|{w.Id}",
        "soonest" => $"{soonest?.UtcTicks ?? long.MaxValue:D19}|{w.Id}",
        // Best rated first; among equal averages, the one with more reviews.
        _ => $"{(long)Math.Round((5 - Math.Clamp(w.Rating.Average, 0, 5)) * 1_000_000):D8}|{int.MaxValue - w.Rating.Count:D10}|{w.Id}",
    };
}

public static class WorkerChoiceEndpoints
{
    public static IEndpointRouteBuilder MapWorkerChoiceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/customer/workers", async Task<Ok<WorkerChoicePage>> (
                string? itemId, string? addressId, double? minRating, int? minYears, string? certificate, string? gender, long? minPrice, long? maxPrice,
                string? freeOn, string? sort, int? pageSize, string? continuationToken, HttpContext http, WorkerChoices choices, CancellationToken ct) =>
            {
                new Validator().Required("itemId", itemId, 64).Required("addressId", addressId, 64).ThrowIfInvalid();
                var query = WorkerChoiceQuery.Parse(minRating, minYears, certificate, gender, minPrice, maxPrice, freeOn, sort, pageSize);
                return TypedResults.Ok(await choices.ListAsync(http.User.UserId(), itemId!, addressId!, query, continuationToken, ct));
            })
            .RequireAuthorization(Roles.Customer).WithTags("Booking")
            .WithSummary("Workers who can serve an item at one of my addresses: filters minRating, minYears, certificate (skill | health), gender, " +
                         "minPrice/maxPrice (fen, their price for the item), freeOn (a local date with a bookable start); sort = rating | distance | price | " +
                         "soonest (first bookable start within 7 days); pageSize 1..100, continuationToken")
            .ProducesValidationProblem();
        return routes;
    }
}
