using System.Globalization;
using System.Text;
using HomeService.Domain.Orders;

namespace HomeService.Functions.Orders;

/// <summary>
/// The order orchestration as a Mermaid flowchart, drawn from the planner's rules and the orchestrator's own names and
/// limits; docs/order-lifecycle.md holds it next to the state machine and a test keeps the two equal.
/// </summary>
public static class OrderOrchestrationDiagram
{
    private static readonly IReadOnlyDictionary<LifecycleMove, string> Steps = new Dictionary<LifecycleMove, string>
    {
        [LifecycleMove.Fire] = $"fire[\"{OrderActivities.FireDeadline}: the deadline's timer command through the decider\"]",
        [LifecycleMove.Settle] = $"settle[\"{OrderActivities.Settle}: split the payment from the stored order, MarkSettled\"]",
        [LifecycleMove.Offer] = $"offer[\"{OrderActivities.OfferNextWorker}: hold the next worker, Offer, release the previous; or EscalateToManual\"]",
        [LifecycleMove.Finish] = "finish([finished: the order is over])",
        [LifecycleMove.Wait] = $"wait[\"wait for the nearest deadline, at most {OrderOrchestrator.Recheck.TotalHours.ToString(CultureInfo.InvariantCulture)} h, or {OrderOrchestrator.ChangedEvent}\"]",
    };

    public static string ToMermaid()
    {
        var b = new StringBuilder();
        b.Append("flowchart TD\n");
        b.Append($"    start([booking starts it, instance id = order id]) --> read\n");
        b.Append($"    read[\"{OrderActivities.Read}: the order and the plan, in business time\"] -- \"new events\" --> react\n");
        b.Append($"    react[\"{OrderActivities.ReactToEvent} for each, by position: messages, integration event, reactions\"] --> read\n");
        b.Append("    read -- \"none new\" --> phase\n");
        b.Append($"    phase{{{{\"same phase, under {OrderOrchestrator.MaxTurns.ToString(CultureInfo.InvariantCulture)} turns?\"}}}} -- no --> again([ContinueAsNew: a fresh history, the position kept])\n");
        b.Append("    phase -- yes --> plan{LifecyclePlanner}\n");
        foreach (var rule in LifecyclePlanner.Rules)
        {
            var step = Steps[rule.Move];
            b.Append($"    plan -- \"{rule.When}\" --> {step}\n");
        }

        foreach (var move in new[] { LifecycleMove.Fire, LifecycleMove.Settle, LifecycleMove.Offer, LifecycleMove.Wait })
        {
            b.Append($"    {Steps[move][..Steps[move].IndexOf('[', StringComparison.Ordinal)]} --> read\n");
        }

        return b.ToString();
    }
}
