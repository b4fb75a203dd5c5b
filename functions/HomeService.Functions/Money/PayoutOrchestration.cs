using DurableTask.Core.Exceptions;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Orders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Money;

/// <param name="Trigger">"schedule", or "admin:{id}" for a run an admin started.</param>
public sealed record PayoutRunInput(string RunId, string Trigger);

public sealed record PayoutRunResult(string RunId, int Paid, int Failed, int Skipped, int Pending);

public sealed record PayoutItemInput(string RunId, string WithdrawalId);

public sealed record PayoutBatchInput(string RunId, DateTimeOffset StartedAt, IReadOnlyList<PayoutBatchItem> Items);

/// <summary>
/// One payout run (instance id = run id): the payable withdrawals, one activity each, all at once, then the batch record.
/// Never twice: each withdrawal is claimed for the run before the provider is called and the provider's key is the
/// withdrawal's (id + attempt), so a retried activity or a second run asks the provider instead of paying again.
/// </summary>
public sealed class PayoutOrchestrator : TaskOrchestrator<PayoutRunInput, PayoutRunResult>
{
    public const string Name = "PayoutRun";

    /// <summary>Tried again at once a few times (timer-free, like the order orchestration); then the run fails and the next run takes over.</summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryHandler(retry => retry.LastAttemptNumber < OrderOrchestrator.MaxAttempts);

    [Function(Name)]
    public static Task<PayoutRunResult> RunFunctionAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PayoutOrchestrator().RunAsync(context, context.GetInput<PayoutRunInput>()!);

    public override async Task<PayoutRunResult> RunAsync(TaskOrchestrationContext context, PayoutRunInput input)
    {
        var started = await context.CallActivityAsync<DateTimeOffset>(PayoutActivities.Begin, input.RunId, Retry);
        var payable = await context.CallActivityAsync<IReadOnlyList<string>>(PayoutActivities.ListPayable, input.RunId, Retry);
        context.SetCustomStatus(new { input.RunId, payable = payable.Count });
        var items = await Task.WhenAll(payable.Select(id =>
            context.CallActivityAsync<PayoutBatchItem>(PayoutActivities.PayOne, new PayoutItemInput(input.RunId, id), Retry)));
        return await context.CallActivityAsync<PayoutRunResult>(PayoutActivities.RecordBatch, new PayoutBatchInput(input.RunId, started, items), Retry);
    }
}

public sealed class PayoutActivities(PayoutRunner runner, TimeProvider time)
{
    public const string Begin = "PayoutBegin";
    public const string ListPayable = "PayoutListPayable";
    public const string PayOne = "PayoutPayOne";
    public const string RecordBatch = "PayoutRecordBatch";

    /// <summary>The run's start in business time (orchestrations keep no clock of their own).</summary>
    [Function(Begin)]
    public Task<DateTimeOffset> BeginAsync([ActivityTrigger] string runId) => Task.FromResult(time.GetUtcNow());

    [Function(ListPayable)]
    public Task<IReadOnlyList<string>> ListPayableAsync([ActivityTrigger] string runId, CancellationToken ct) => runner.PayableAsync(ct);

    [Function(PayOne)]
    public Task<PayoutBatchItem> PayOneAsync([ActivityTrigger] PayoutItemInput input, CancellationToken ct) =>
        runner.PayOneAsync(input.WithdrawalId, input.RunId, ct);

    [Function(RecordBatch)]
    public async Task<PayoutRunResult> RecordBatchAsync([ActivityTrigger] PayoutBatchInput input, CancellationToken ct)
    {
        var batch = await runner.RecordBatchAsync(input.RunId, input.StartedAt, input.Items, ct);
        return new PayoutRunResult(batch.RunId, batch.Paid, batch.Failed, batch.Skipped, batch.Pending);
    }
}

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
