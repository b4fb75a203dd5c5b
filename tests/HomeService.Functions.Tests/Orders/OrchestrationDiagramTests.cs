using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Orders;

/// <summary>docs/order-lifecycle.md draws the orchestration next to the state machine; the drawing is the code's.</summary>
public sealed class OrchestrationDiagramTests
{
    [Fact]
    public void The_documented_orchestration_is_the_one_drawn_from_the_planner_and_the_orchestrator()
    {
        var path = Path.Combine(LocalStack.RepoRoot, "docs", "order-lifecycle.md");
        var generated = OrderOrchestrationDiagram.ToMermaid();
        const string marker = "```mermaid\nflowchart TD\n";
        if (Environment.GetEnvironmentVariable("UPDATE_ORDER_LIFECYCLE_DOC") == "1")
        {
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            var begin = text.IndexOf(marker, StringComparison.Ordinal) + "```mermaid\n".Length;
            var finish = text.IndexOf("```", begin, StringComparison.Ordinal);
            File.WriteAllText(path, string.Concat(text.AsSpan(0, begin), generated, text.AsSpan(finish)));
        }

        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = doc.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/order-lifecycle.md has no orchestration flowchart");
        start += "```mermaid\n".Length;
        Assert.Equal(generated, doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)]);
        // Every rule of the planner is drawn, in its order.
        var positions = Domain.Orders.LifecyclePlanner.Rules.Select(r => generated.IndexOf($"\"{r.When}\"", StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);
    }
}
