using System.Globalization;
using System.Text.Json;
using System.Net;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Scheduling;

/// <summary>The part of workers' schedules a query needs: reservations overlapping <see cref="From"/>..<see cref="To"/>, exceptions on <see cref="FirstDate"/>..<see cref="LastDate"/>.</summary>
public readonly record struct ScheduleRange(DateTimeOffset From, DateTimeOffset To, DateOnly FirstDate, DateOnly LastDate);

/// <summary>Data access of the `schedules` container: a worker's plan document and calendar document.</summary>
public sealed class WorkerSchedules(CosmosDb db, TimeProvider time)
{
    private Container Container => db.Schedules;

    public async Task<PlanDocument> GetPlanAsync(string workerId, CancellationToken ct)
    {
        var found = await Container.ReadOrNullAsync<PlanDocument>(PlanDocument.DocumentId, workerId, ct);
        return found?.Resource ?? PlanDocument.Empty(workerId);
    }

    /// <summary>
    /// Validates plan + exceptions together with the domain rules (400 with the domain's field names) and writes the
    /// plan document: created on first write, afterwards replaced at the client's If-Match (428 without it).
    /// </summary>
    public async Task<PlanDocument> SavePlanAsync(string workerId, string? ifMatch, Func<PlanDocument, PlanDocument> change, CancellationToken ct)
    {
        var current = await Container.ReadOrNullAsync<PlanDocument>(PlanDocument.DocumentId, workerId, ct);
        var next = change(current?.Resource ?? PlanDocument.Empty(workerId)) with { WorkerId = workerId, UpdatedAt = time.GetUtcNow(), ETag = null };
        Validate(next);
        if (current is null)
        {
            try
            {
                return (await Container.CreateItemAsync(next, new PartitionKey(workerId), cancellationToken: ct)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new PreconditionFailedException();
            }
        }

        if (ifMatch is null)
        {
            throw new PreconditionRequiredException();
        }

        return (await Container.ReplaceItemAsync(next, PlanDocument.DocumentId, new PartitionKey(workerId), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct)).Resource;
    }

    private static void Validate(PlanDocument plan)
    {
        var v = new Validator();
        for (var i = 0; i < plan.Days.Count; i++)
        {
            ScheduleText.CheckTimes(v, $"days[{i}].work", plan.Days[i].Work);
            ScheduleText.CheckTimes(v, $"days[{i}].breaks", plan.Days[i].Breaks);
        }

        for (var i = 0; i < plan.Exceptions.Count; i++)
        {
            ScheduleText.CheckTimes(v, $"exceptions[{i}].hours", plan.Exceptions[i].Hours);
        }

        v.Check(plan.Days.Count <= 7, "days", "too_many", 7).Check(plan.Exceptions.Count <= 366, "exceptions", "too_many", 366);
        v.ThrowIfInvalid();
        foreach (var error in ScheduleValidation.Validate(plan.ToPlan(), plan.ToExceptions()))
        {
            v.Add(error.Field, error.Code);
        }

        v.ThrowIfInvalid();
    }

    /// <summary>The worker's calendar document; an empty one (without ETag) when the worker has never been booked.</summary>
    public async Task<CalendarDocument> GetCalendarAsync(string workerId, CancellationToken ct)
    {
        var found = await Container.ReadOrNullAsync<CalendarDocument>(CalendarDocument.DocumentId, workerId, ct);
        return found?.Resource ?? CalendarDocument.Empty(workerId);
    }

    /// <summary>
    /// Writes <paramref name="next"/> only if the calendar is still as <paramref name="read"/> was: create when it had
    /// no ETag (409 if someone else created it first), replace at its ETag otherwise (412 if changed). Answers the
    /// document as stored, with the new ETag from the response headers (no body is asked for); null = lost the race.
    /// </summary>
    public async Task<CalendarDocument?> TryWriteCalendarAsync(CalendarDocument read, CalendarDocument next, CancellationToken ct)
    {
        next = next with { UpdatedAt = time.GetUtcNow(), ETag = null };
        var options = new ItemRequestOptions { IfMatchEtag = read.ETag, EnableContentResponseOnWrite = false };
        try
        {
            var response = read.ETag is null
                ? await Container.CreateItemAsync(next, new PartitionKey(read.WorkerId), options, ct)
                : await Container.ReplaceItemAsync(next, CalendarDocument.DocumentId, new PartitionKey(read.WorkerId), options, ct);
            return next with { ETag = response.ETag };
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    /// <summary>
    /// Plans and calendars of many workers in one query per chunk (the query text names the partitions: the local server ignores
    /// the option). With <paramref name="range"/> they are projections: the plan's exceptions inside the range's dates and the
    /// calendar's reservations overlapping its instants (the weekly days and the ETag always) — never written back.
    /// </summary>
    public async Task<(Dictionary<string, PlanDocument> Plans, Dictionary<string, CalendarDocument> Calendars)> ForWorkersAsync(
        IReadOnlyCollection<string> workerIds, ScheduleRange? range, CancellationToken ct)
    {
        var plans = new Dictionary<string, PlanDocument>(StringComparer.Ordinal);
        var calendars = new Dictionary<string, CalendarDocument>(StringComparer.Ordinal);
        if (workerIds.Count == 0)
        {
            return (plans, calendars);
        }

        var select = range is null ? "*"
            : "c.id, c.workerId, c.type, c.days, c._etag, " +
              "ARRAY(SELECT VALUE e FROM e IN c.exceptions WHERE e.date >= @firstDate AND e.date <= @lastDate) AS exceptions, " +
              "ARRAY(SELECT VALUE r FROM r IN c.reservations WHERE r[\"end\"] > @from AND r.start < @to) AS reservations";

        // A worker has at most one plan and one calendar, so a chunk of ids is at most 2 × chunk rows: one page each.
        foreach (var chunk in workerIds.Chunk(CosmosExtensions.KeysetChunk / 2))
        {
            var query = new QueryDefinition($"SELECT {select} FROM c WHERE ARRAY_CONTAINS(@ids, c.workerId) AND (c.type = @plan OR c.type = @calendar)")
                .WithParameter("@ids", chunk).WithParameter("@plan", PlanDocument.Kind).WithParameter("@calendar", CalendarDocument.Kind);
            if (range is { } r)
            {
                // Stored instants are UTC ISO-8601 text, so they compare as text; the range's margin absorbs any difference in precision.
                query = query.WithParameter("@from", Iso(r.From)).WithParameter("@to", Iso(r.To))
                    .WithParameter("@firstDate", r.FirstDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                    .WithParameter("@lastDate", r.LastDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            Collect(await Container.QueryAllAsync<JsonElement>(query, null, ct), plans, calendars);
        }

        return (plans, calendars);
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static void Collect(IEnumerable<JsonElement> rows, Dictionary<string, PlanDocument> plans, Dictionary<string, CalendarDocument> calendars)
    {
        foreach (var row in rows)
        {
            var type = row.GetProperty("type").GetString();
            if (type == PlanDocument.Kind)
            {
                var plan = row.Deserialize<PlanDocument>(CosmosDb.JsonOptions)!;
                plans[plan.WorkerId] = plan;
            }
            else
            {
                var calendar = row.Deserialize<CalendarDocument>(CosmosDb.JsonOptions)!;
                calendars[calendar.WorkerId] = calendar;
            }
        }
    }

    /// <summary>The worker's profile, or null when the worker has not registered.</summary>
    public async Task<WorkerDocument?> FindWorkerAsync(string workerId, CancellationToken ct) =>
        (await db.Workers.ReadOrNullAsync<WorkerDocument>(workerId, workerId, ct))?.Resource;
}
