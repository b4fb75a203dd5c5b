using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>
/// The bad-input sweep (<see cref="BadInputSweep"/>) against real resources: a paid order offered to its worker,
/// the customer's address, the city and item. Each audience calls with the account that owns the resource, so
/// junk reaches the order actions' own validation and state checks rather than stopping at "not found".
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class OrderBadInputSweepTests(DispatchFactory factory)
{
    [Fact]
    public async Task No_order_action_answers_a_server_error_to_junk_for_a_real_order()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        var worker = await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var order = await world.BookAsync(customer);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        Assert.Equal(OrderStatus.Offered, (await world.OrderAsync(order.Id)).Status);
        var admin = await factory.AdminAsync();

        HttpClient ClientFor(string route) =>
            route.StartsWith("/api/worker", StringComparison.Ordinal) ? worker.Client
            : route.StartsWith("/api/admin", StringComparison.Ordinal) ? admin
            : customer.Client;

        string ValueFor(string route, string name) =>
            name is "cityId" ? world.CityId
            : name is "orderId" || route.Contains("/orders/", StringComparison.Ordinal) ? order.Id
            : route.Contains("/addresses/", StringComparison.Ordinal) ? customer.AddressId
            : route.Contains("/items/", StringComparison.Ordinal) ? world.Booking.ItemId
            : name is "workerId" || route.Contains("/workers/", StringComparison.Ordinal) ? worker.Id
            : "zz-missing-1";

        var (calls, failures) = await BadInputSweep.RunAsync(factory.Services, ClientFor, ValueFor);

        Assert.True(calls > 800, $"only {calls} calls made");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
