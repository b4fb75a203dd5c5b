using System.Net;
using System.Net.Http.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>
/// The offered worker accepting, an admin assigning someone else and the customer cancelling, all at once on one
/// order: whatever wins, no answer is a server error, and afterwards exactly the order's current holder (or nobody,
/// once cancelled) has the time in their calendar — no orphaned hold, no double holding.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class OrderActionRaceTests(DispatchFactory factory)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Accept_admin_assign_and_cancel_racing_leave_one_consistent_holder(bool withCancel)
    {
        var admin = await factory.AdminAsync();
        for (var round = 0; round < 4; round++)
        {
            var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
            var offered = await world.WorkerAsync(km: 0);
            var other = await world.WorkerAsync(km: 5);
            var customer = await world.CustomerAsync();
            var order = await world.BookAsync(customer);
            await world.PayAsync(order.Id);
            await world.DeliverAsync();
            Assert.Equal(offered.Id, (await world.OrderAsync(order.Id)).State.OfferedToWorkerId);

            // The accept leaves a little later each round, so that either side wins in some rounds (the assign's
            // hold of the other worker's time makes it the slower request).
            var stagger = TimeSpan.FromMilliseconds(round * 25);
            var racers = new List<Task<HttpResponseMessage>>
            {
                Task.Delay(stagger).ContinueWith(_ => offered.Client.PostAsync($"/api/worker/orders/{order.Id}/accept", null)).Unwrap(),
                admin.PostAsJsonAsync($"/api/admin/orders/{order.Id}/assign", new { workerId = other.Id }),
            };
            if (withCancel)
            {
                // The cancel leaves later in early rounds and first in the last.
                racers.Add(Task.Delay(TimeSpan.FromMilliseconds((3 - round) * 40))
                    .ContinueWith(_ => customer.Client.PostAsJsonAsync($"/api/customer/orders/{order.Id}/cancel", new { reason = "race" })).Unwrap());
            }

            var answers = await Task.WhenAll(racers);
            await world.DeliverAsync();

            Assert.All(answers, a => Assert.True((int)a.StatusCode < 500, $"{a.RequestMessage!.RequestUri}: {(int)a.StatusCode}"));
            var final = await world.OrderAsync(order.Id);
            var holders = new List<string>();
            foreach (var worker in new[] { offered.Id, other.Id })
            {
                if (await world.HoldsAsync(worker, order.Id))
                {
                    holders.Add(worker);
                }
            }

            if (final.Status is OrderStatus.Refunding or OrderStatus.Cancelled or OrderStatus.Refunded)
            {
                Assert.True(withCancel);
                Assert.True(answers[2].IsSuccessStatusCode);
                Assert.Empty(holders);
            }
            else
            {
                Assert.Equal(OrderStatus.Accepted, final.Status);
                Assert.Single(answers.Take(2), a => a.IsSuccessStatusCode);
                Assert.Equal([final.Reservation.WorkerId], holders);
                Assert.Equal(final.State.CurrentWorkerId, final.Reservation.WorkerId);
                // The winner is whoever the successful answer says.
                var winner = answers[0].IsSuccessStatusCode ? offered.Id : other.Id;
                Assert.Equal(winner, final.Reservation.WorkerId);
            }
        }
    }
}
