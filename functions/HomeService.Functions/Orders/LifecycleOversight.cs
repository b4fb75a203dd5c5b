using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Orders;

/// <summary>An order next to its orchestration, as an operator sees them.</summary>
/// <param name="Problem">"missing": no orchestration although the order is not over; "failed"; "ended-early": it finished
/// while the order is not over; null when it runs (or ended with the order).</param>
public sealed record OrderLifecycleReport(string OrderId, OrderStatus Status, int Events, bool OrderFinished, OrderLifecycleView? Orchestration, string? Problem)
{
    public static OrderLifecycleReport Of(OrderDocument order, OrderLifecycleView? orchestration)
    {
        var finished = LifecyclePlanner.IsFinished(order.State);
        var problem = orchestration switch
        {
            null when !finished => "missing",
            { RuntimeStatus: nameof(OrchestrationRuntimeStatus.Failed) or nameof(OrchestrationRuntimeStatus.Terminated) } => "failed",
            { RuntimeStatus: nameof(OrchestrationRuntimeStatus.Completed) } when !finished => "ended-early",
            _ => null,
        };
        return new OrderLifecycleReport(order.Id, order.Status, order.History.Count, finished, orchestration, problem);
    }
}

/// <summary>
/// Keeps every order's orchestration alive and visible: operators read it and re-signal a stuck one
/// (<c>/api/admin/orders/{id}/lifecycle</c>), and a sweep finds orchestrations that are missing, failed or ended early,
/// alerts the admins and starts them again where they stopped (their side effects are idempotent by position).
/// </summary>
public sealed class LifecycleOversight(
    CosmosDb db, OrderLifecycle lifecycle, IOrderOrchestrations orchestrations, MessageCenter center, TimeProvider time, ILogger<LifecycleOversight> logger)
{
    /// <summary>Orders younger than this are being placed: their orchestration may not exist yet.</summary>
    public static readonly TimeSpan YoungerThan = TimeSpan.FromMinutes(15);

    private const int PageSize = 200;

    public async Task<OrderLifecycleReport> ReportAsync(string orderId, CancellationToken ct)
    {
        var order = await lifecycle.FindAsync(orderId, ct) ?? throw new NotFoundException("res.order", orderId);
        return OrderLifecycleReport.Of(order, await orchestrations.DescribeAsync(orderId, ct));
    }

    /// <summary>An operator's nudge: a missing, failed or ended orchestration is started again; a running one is told to look.</summary>
    public async Task<OrderLifecycleReport> ResignalAsync(string orderId, CancellationToken ct)
    {
        var before = await ReportAsync(orderId, ct);
        if (before.Problem is not null)
        {
            await orchestrations.StartAsync(orderId, ct);
        }

        await orchestrations.ChangedAsync(orderId, orchestrationMayHaveFinished: false, ct);
        logger.LogWarning("Orchestration of order {OrderId} re-signalled by an admin ({Problem})", orderId, before.Problem ?? "running");
        return await ReportAsync(orderId, ct);
    }

    /// <summary>The sweep: every order not over and older than <see cref="YoungerThan"/>; returns the ones it repaired.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - YoungerThan;
        var finished = new[] { OrderStatus.Settled, OrderStatus.Closed, OrderStatus.Cancelled, OrderStatus.Refunded }
            .Select(s => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(s.ToString())).ToArray();
        var repaired = 0;
        string? token = null;
        do
        {
            var page = await db.Orders.KeysetPageAsync<OrderDocument>(null,
                "c.type = @type AND NOT ARRAY_CONTAINS(@finished, c.status) AND c.createdAt < @cutoff",
                new Dictionary<string, object?> { ["@type"] = OrderDocument.Kind, ["@finished"] = finished, ["@cutoff"] = cutoff },
                "id", descending: false, o => o.Id, "lifecycle-sweep", token, PageSize, ct);
            foreach (var order in page.Items)
            {
                var report = OrderLifecycleReport.Of(order, await orchestrations.DescribeAsync(order.Id, ct));
                if (report.Problem is { } problem)
                {
                    await RepairAsync(report, problem, ct);
                    repaired++;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        // A failed orchestration of an order that finished meanwhile (a late refund, say) is reported by the same rule.
        return repaired;
    }

    private async Task RepairAsync(OrderLifecycleReport report, string problem, CancellationToken ct)
    {
        logger.LogError("Orchestration of order {OrderId} is {Problem} ({Failure}); starting it again", report.OrderId, problem, report.Orchestration?.Failure);
        // One alert per incident: a failure is named by when it happened, a missing one by the order.
        var incident = report.Orchestration?.LastUpdatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
        await center.PostAsync(OrderEventHandler.AdminInbox, $"lifecycle:{problem}:{report.OrderId}:{incident}", "order", $"lifecycle.{problem}", report.OrderId, ct);
        await orchestrations.StartAsync(report.OrderId, ct);
    }
}

/// <summary>The lifecycle sweep's timer: every 15 minutes.</summary>
public sealed class LifecycleSweepFunction(LifecycleOversight oversight, DurableClientAccessor durable)
{
    public const string Name = "CheckOrderLifecycles";
    public const string Schedule = "0 */15 * * * *";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        if (client is not null)
        {
            durable.Bind(client);
        }

        return $"Lifecycle sweep repaired {await oversight.SweepAsync(ct)} orders";
    }
}

public static class LifecycleEndpoints
{
    public static IEndpointRouteBuilder MapLifecycleEndpoints(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/admin/orders").WithTags("Admin dispatch").RequireAuthorization(Roles.Admin);
        orders.MapGet("/{id}/lifecycle", async Task<Ok<OrderLifecycleReport>> (string id, LifecycleOversight oversight, CancellationToken ct) =>
                TypedResults.Ok(await oversight.ReportAsync(id, ct)))
            .WithSummary("The order's orchestration: runtime status, what it waits for until when, and whether it is missing, failed or ended early")
            .ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapPost("/{id}/lifecycle/signal", async Task<Accepted<OrderLifecycleReport>> (string id, LifecycleOversight oversight, CancellationToken ct) =>
                TypedResults.Accepted($"/api/admin/orders/{id}/lifecycle", await oversight.ResignalAsync(id, ct)))
            .WithSummary("Wake the order's orchestration to read the order again; start it again if it is missing, failed or ended early (audited)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }
}
