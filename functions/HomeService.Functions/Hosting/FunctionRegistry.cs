using HomeService.Functions.Catalog;
using HomeService.Functions.Customers;
using HomeService.Functions.Health;
using HomeService.Functions.Orders;
using HomeService.Functions.Money;
using HomeService.Functions.Notifications;
using HomeService.Functions.Uploads;

namespace HomeService.Functions.Hosting;

/// <summary>
/// Every function of the app, declared once. `HomeService.Functions emit-functions DIR` writes their
/// function.json files; the host (or standalone mode) calls the handlers through <see cref="FunctionInvoker"/>.
/// </summary>
public static class FunctionRegistry
{
    public const string PoisonSuffix = "-poison";

    public static readonly IReadOnlyList<FunctionDefinition> All =
    [
        // The whole public API: the host proxies /api/** to ASP.NET Core routing; nothing else is public.
        FunctionDefinition.Http("api", "api/{*path}"),
        FunctionDefinition.Timer("Heartbeat", "0 */5 * * * *", HeartbeatFunction.RunAsync),
        FunctionDefinition.Timer(PayoutFunction.Name, PayoutFunction.Schedule, PayoutFunction.RunAsync),
        FunctionDefinition.Queue("RecordBrowsingHistory", BrowsingHistory.QueueName, BrowsingHistory.RunAsync),
        FunctionDefinition.Queue(OrderEventFunction.Name, OrderQueues.Events, OrderEventFunction.RunAsync),
        FunctionDefinition.Queue(OrderTimerFunction.Name, OrderQueues.Timers, OrderTimerFunction.RunAsync),
        FunctionDefinition.Queue(PushFunction.Name, PushFunction.QueueName, PushFunction.RunAsync),
        FunctionDefinition.Timer(OrderOutboxSweep.Name, "30 * * * * *", OrderOutboxSweep.RunAsync),
        FunctionDefinition.Timer(PurgeUploadsFunction.Name, PurgeUploadsFunction.Schedule, PurgeUploadsFunction.RunAsync),
        FunctionDefinition.Timer(ItemPopularityFunction.Name, ItemPopularityFunction.Schedule, ItemPopularityFunction.RunAsync),
    ];

    /// <summary>Every queue the app reads, with its poison queue.</summary>
    public static IReadOnlyCollection<string> QueueNames { get; } = All
        .Where(f => f.QueueName is not null)
        .SelectMany(f => new[] { f.QueueName!, f.QueueName + PoisonSuffix })
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    public static FunctionDefinition? Find(string name) =>
        All.FirstOrDefault(f => f.Trigger != TriggerKind.Http && string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
