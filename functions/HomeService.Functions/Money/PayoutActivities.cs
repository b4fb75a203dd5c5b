using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Money;

/// <summary>The payout run's activities: its clock reading and every I/O step, so the orchestrator itself stays deterministic.</summary>
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
