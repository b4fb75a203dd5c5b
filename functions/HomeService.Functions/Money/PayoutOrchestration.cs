using HomeService.Functions.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

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
