using System.Net;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Dispatch;

[Collection(DispatchCollection.Name)]
public sealed class GrabPoolDispatchTests(DispatchFactory factory)
{
    private static async Task<List<string>> PoolAsync(TestWorker worker) =>
        [.. (await (await (await worker.Client.GetAsync("/api/worker/pool?pageSize=50")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Twenty_workers_grabbing_the_same_order_concurrently_yield_one_winner_whose_calendar_alone_holds_it()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.GrabPool);
        var workers = new List<TestWorker>();
        for (var i = 0; i < 21; i++)
        {
            workers.Add(await world.WorkerAsync(km: i * 0.5));
        }

        // 40 km away with a 10 km radius: this worker must never see the order.
        var outOfReach = await world.WorkerAsync(km: 40, radiusKm: 10);
        var order = await world.BookAsync(await world.CustomerAsync());
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        Assert.Equal((OrderStatus.Dispatching, 0), ((await world.OrderAsync(order.Id)).Status, (await world.OrderAsync(order.Id)).State.OfferRound));

        var placeholder = workers.Single(w => w.Id == order.WorkerId);
        var grabbers = workers.Where(w => w != placeholder).ToList();
        Assert.Equal(20, grabbers.Count);
        Assert.Contains(order.Id, await PoolAsync(grabbers[0]));
        Assert.Contains(order.Id, await PoolAsync(placeholder));
        Assert.DoesNotContain(order.Id, await PoolAsync(outOfReach));
        var refused = await outOfReach.Client.PostAsync($"/api/worker/pool/{order.Id}/grab", null);
        Assert.Equal("cannot_serve_order", await BookingWorld.ProblemCodeAsync(await refused.EnsureStatusAsync(HttpStatusCode.Conflict)));

        using var go = new SemaphoreSlim(0);
        var grabs = grabbers.Select(async w =>
        {
            await go.WaitAsync();
            return (Worker: w, Response: await w.Client.PostAsync($"/api/worker/pool/{order.Id}/grab", null));
        }).ToList();
        go.Release(grabbers.Count);
        var results = await Task.WhenAll(grabs);

        var winner = Assert.Single(results, r => r.Response.StatusCode == HttpStatusCode.OK).Worker;
        foreach (var (_, response) in results.Where(r => r.Worker != winner))
        {
            Assert.Equal("taken-by-another-worker", await BookingWorld.ProblemCodeAsync(await response.EnsureStatusAsync(HttpStatusCode.Conflict)));
        }

        await world.DeliverAsync();
        var taken = await world.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Accepted, winner.Id, winner.Id), (taken.Status, taken.State.CurrentWorkerId, taken.Reservation.WorkerId));
        var holders = new List<string>();
        foreach (var w in workers)
        {
            if (await world.HoldsAsync(w.Id, order.Id))
            {
                holders.Add(w.Id);
            }
        }

        Assert.Equal([winner.Id], holders);
        Assert.DoesNotContain(order.Id, await PoolAsync(grabbers[0]));
        var late = await placeholder.Client.PostAsync($"/api/worker/pool/{order.Id}/grab", null);
        Assert.Equal("taken-by-another-worker", await BookingWorld.ProblemCodeAsync(await late.EnsureStatusAsync(HttpStatusCode.Conflict)));
    }

    [Fact]
    public async Task A_pool_order_nobody_grabs_goes_to_manual_dispatch_when_its_window_closes()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.GrabPool, maxOfferRounds: 2);
        var worker = await world.WorkerAsync();
        var order = await world.BookAsync(await world.CustomerAsync());
        await world.PayAsync(order.Id);
        await world.DeliverAsync();

        await world.AdvanceAndDeliverAsync(TimeSpan.FromMinutes(9));
        Assert.Equal(OrderStatus.Dispatching, (await world.OrderAsync(order.Id)).Status);
        Assert.Contains(order.Id, await PoolAsync(worker));

        await world.AdvanceAndDeliverAsync(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(OrderStatus.ManualDispatch, (await world.OrderAsync(order.Id)).Status);
        Assert.DoesNotContain(order.Id, await PoolAsync(worker));
    }
}
