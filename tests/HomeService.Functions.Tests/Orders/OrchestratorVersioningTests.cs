// The Durable analyzers look for these sample activities' registrations in the app.
#pragma warning disable DURABLE2001, DURABLE2002, DURABLE2003
using HomeService.Domain.Orders;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Support;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace HomeService.Functions.Tests.Orders;

/// <summary>
/// Deploying a changed orchestrator while orders are in flight (docs/order-lifecycle.md, "Changing the orchestrator"):
/// a redeployed worker picks in-flight instances up where they were, and a change that schedules different work runs
/// only for instances of its version, which older ones reach at their next ContinueAsNew.
/// </summary>
public sealed class OrchestratorVersioningTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private OrchestrationTestHost _host = null!;

    public async Task InitializeAsync() => _host = await OrchestrationTestHost.StartAsync(Monday);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_order_in_flight_across_a_redeployment_resumes_where_it_was_and_finishes()
    {
        await _host.PlaceAsync("o-deploy");
        await _host.SettleAsync("o-deploy");

        // A new deployment of the app while the order waits for its payment deadline.
        await _host.RedeployAsync(OrchestrationTestHost.OrderTasks);
        await _host.AdvanceAsync(TimeSpan.FromMinutes(16), "o-deploy");

        Assert.Equal(OrderStatus.Closed, _host.Orders.State("o-deploy").Status);
        var done = await _host.Client.GetInstanceAsync("o-deploy", getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done!.RuntimeStatus);
        Assert.All(_host.Orders.Reactions.Where(r => r.Key.OrderId == "o-deploy"), r => Assert.Equal(1, r.Value));
    }

    [Fact]
    public async Task A_change_that_schedules_new_work_runs_for_instances_of_its_version_and_older_ones_reach_it_at_their_next_generation()
    {
        var calls = new List<(string Instance, int Version, int Generation)>();
        await using var host = await OrchestrationTestHost.StartAsync(Monday, (r, _) => Register(r, calls, deployed: 1));
        await host.Client.ScheduleNewOrchestrationInstanceAsync(Sample.Name, new Sample.Input(1, 0), new StartOrchestrationOptions("in-flight"));
        await WaitForAsync(host, "in-flight", "waiting");

        // Version 2 adds an activity call. The instance started under version 1 replays its history unchanged.
        await host.RedeployAsync((r, _) => Register(r, calls, deployed: 2));
        await host.Client.ScheduleNewOrchestrationInstanceAsync(Sample.Name, new Sample.Input(2, 0), new StartOrchestrationOptions("new"));
        await host.Client.RaiseEventAsync("in-flight", "go", 0);
        await host.Client.RaiseEventAsync("new", "go", 0);
        await WaitForAsync(host, "in-flight", "waiting", generation: 1);
        await WaitForAsync(host, "new", "waiting", generation: 1);
        await host.Client.RaiseEventAsync("in-flight", "go", 0);
        await WaitForAsync(host, "in-flight", "waiting", generation: 2);

        // The in-flight instance ran the new step only once it had continued as new, on version 2; the new one from its start.
        Assert.Equal([(2, 1), (2, 2)], calls.Where(c => c.Instance == "in-flight").Select(c => (c.Version, c.Generation)).Order());
        Assert.Equal([(2, 0), (2, 1)], calls.Where(c => c.Instance == "new").Select(c => (c.Version, c.Generation)).Order());
    }

    private static void Register(DurableTaskRegistry r, List<(string, int, int)> calls, int deployed)
    {
        r.AddOrchestrator(Sample.Name, () => new Sample(deployed));
        r.AddActivityFunc<Sample.Input, bool>(Sample.NewStep, (ctx, input) =>
        {
            lock (calls)
            {
                calls.Add((ctx.InstanceId, input.Version, input.Generation));
            }

            return Task.FromResult(true);
        });
    }

    private static async Task WaitForAsync(OrchestrationTestHost host, string instanceId, string phase, int generation = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (instance?.ReadCustomStatusAs<Sample.Status>() is { } s && s.Phase == phase && s.Generation == generation)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new Xunit.Sdk.XunitException($"{instanceId} did not reach {phase} in generation {generation}");
    }

    /// <summary>An orchestrator written the way OrderOrchestrator is versioned: the version in its input, upgraded at ContinueAsNew.</summary>
    private sealed class Sample(int deployed) : TaskOrchestrator<Sample.Input, int>
    {
        public const string Name = "VersionedSample";
        public const string NewStep = "VersionedSampleNewStep";

        public sealed record Input(int Version, int Generation);

        public sealed record Status(string Phase, int Generation);

        public override async Task<int> RunAsync(TaskOrchestrationContext context, Input input)
        {
            if (input.Version >= 2)
            {
                // The change: only instances of version 2 schedule it, so version 1 histories replay as they were recorded.
                await context.CallActivityAsync<bool>(NewStep, input);
            }

            context.SetCustomStatus(new Status("waiting", input.Generation));
            await context.WaitForExternalEvent<int>("go");
            context.ContinueAsNew(new Input(deployed, input.Generation + 1));
            return 0;
        }
    }
}
