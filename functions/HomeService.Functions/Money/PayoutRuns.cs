using DurableTask.Core.Exceptions;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Orders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Money;

public sealed record PayoutRunView(string RunId, string RuntimeStatus, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, PayoutRunResult? Result, string? Failure);

/// <summary>Starts payout runs (the timer on schedule, admins on demand) and reports on them.</summary>
public sealed class PayoutRuns(DurableClientAccessor durable, ILogger<PayoutRuns> logger)
{
    public static string ScheduledRunId(DateTimeOffset due) =>
        $"payout-{due.UtcDateTime.ToString("yyyyMMddTHHmm", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <returns>The run id (one already running under that id is left to run).</returns>
    public async Task<string> StartAsync(string runId, string trigger, CancellationToken ct)
    {
        try
        {
            await durable.Client.ScheduleNewOrchestrationInstanceAsync(PayoutOrchestrator.Name, new PayoutRunInput(runId, trigger),
                new StartOrchestrationOptions(runId).WithDedupeStatuses(OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending,
                    OrchestrationRuntimeStatus.Completed), ct);
            logger.LogInformation("Payout run {RunId} started ({Trigger})", runId, trigger);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            logger.LogInformation("Payout run {RunId} exists already", runId);
        }

        return runId;
    }

    public async Task<PayoutRunView?> DescribeAsync(string runId, CancellationToken ct)
    {
        var instance = await durable.Client.GetInstanceAsync(runId, getInputsAndOutputs: true, ct);
        return instance is null || instance.Name != PayoutOrchestrator.Name
            ? null
            : new PayoutRunView(runId, instance.RuntimeStatus.ToString(), instance.CreatedAt, instance.LastUpdatedAt,
                instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<PayoutRunResult>() : null,
                instance.FailureDetails is { } f ? $"{f.ErrorType}: {f.ErrorMessage}" : null);
    }
}

public static class PayoutRunEndpoints
{
    public static IEndpointRouteBuilder MapPayoutRunEndpoints(this IEndpointRouteBuilder routes)
    {
        var runs = routes.MapGroup("/api/admin/payouts/runs").WithTags("Admin money").RequireAuthorization(Roles.Admin);
        runs.MapPost("/", async Task<Results<Accepted<PayoutRunView>, ProblemHttpResult>> (HttpContext http, PayoutRunner runner, PayoutRuns payouts, CancellationToken ct) =>
        {
            if (!runner.ProviderConfigured)
            {
                // The deployment pays nobody (Money:PayoutProvider=None): withdrawals wait; nothing to start.
                throw new ConflictException("payouts_unavailable");
            }

            var runId = await payouts.StartAsync($"payout-manual-{Guid.NewGuid():N}", $"admin:{http.User.UserId()}", ct);
            return TypedResults.Accepted($"/api/admin/payouts/runs/{runId}", await payouts.DescribeAsync(runId, ct));
        }).WithSummary("Start a payout run now (audited): every approved withdrawal is paid, each at most once")
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapGet("/{runId}", async Task<Ok<PayoutRunView>> (string runId, PayoutRuns payouts, CancellationToken ct) =>
                TypedResults.Ok(await payouts.DescribeAsync(runId, ct) ?? throw new NotFoundException("res.payout-run", runId)))
            .WithSummary("A payout run: its orchestration's status and, once finished, how many were paid, failed, skipped or await confirmation")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }
}
