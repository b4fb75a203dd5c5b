using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Orders;

/// <summary>A local host on a fake clock that starts where <paramref name="databaseName"/>'s host left off (its database and task hub).</summary>
public sealed class StandaloneBookingHost(string? databaseName, DateTimeOffset start) : BookingFactory(databaseName, start)
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["LocalHost:RunTimers"] = "false",
        ["LocalHost:PollQueues"] = "true",
        ["LocalHost:MaxPollingInterval"] = "00:00:00.200",
    };
}

public sealed class RestartTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Pending_timers_still_fire_after_the_app_stops_mid_lifecycle_and_starts_again()
    {
        string databaseName;
        string orderId;
        string workerId;
        await using (var first = new StandaloneBookingHost(null, Monday))
        {
            var world = await BookingWorld.StartAsync(first);
            var worker = await world.WorkerAsync();
            var customer = await world.CustomerAsync();
            var order = await world.BookOkAsync(customer, world.At(1, 10), worker.Id);
            (databaseName, orderId, workerId) = (first.DatabaseName, order.Id, worker.Id);
            Assert.Equal(OrderStatus.PendingPayment, order.Status);
        }

        // The same database and task hub, 16 minutes later on the clock: past the 15-minute payment deadline. The timers
        // the first host held for its fake clock went with it (real timers are in the task hub: LocalRestartTests), so the
        // orchestration is woken as a lost signal would be caught up with — by looking again.
        await using var second = new StandaloneBookingHost(databaseName, Monday.AddMinutes(16));
        _ = second.CreateClient();
        var db = second.Services.GetRequiredService<CosmosDb>();
        await second.Orchestrations.Client.RaiseEventAsync(orderId, OrderOrchestrator.ChangedEvent, Monday.AddMinutes(16));
        await second.Orchestrations.SettleAsync(orderId);

        var closed = await Wait.UntilAsync(async () =>
        {
            var order = (await db.Orders.ReadOrNullAsync<OrderDocument>(orderId, orderId, CancellationToken.None))?.Resource;
            return order?.Status == OrderStatus.Closed ? order : null;
        }, TimeSpan.FromSeconds(40));
        Assert.NotNull(closed);

        // Closing frees the worker's time.
        var freed = await Wait.UntilAsync(async () =>
        {
            var calendar = (await db.Schedules.ReadOrNullAsync<HomeService.Functions.Scheduling.CalendarDocument>("calendar", workerId, CancellationToken.None))?.Resource;
            return calendar is not null && calendar.Reservations.All(r => r.OrderId != orderId) ? (bool?)true : null;
        }, TimeSpan.FromSeconds(20));
        Assert.True(freed);
    }
}
