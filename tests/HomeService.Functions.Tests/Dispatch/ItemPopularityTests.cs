using System.Net;
using HomeService.Domain.Catalog;
using HomeService.Domain.Orders;
using HomeService.Functions.Catalog;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>
/// Popularity comes from orders: the daily timer counts the paid, uncancelled orders of the last 30 days. A host of its
/// own, since the test moves the clock a month on (which would expire the tokens other tests of a shared host hold).
/// </summary>
public sealed class ItemPopularityTests(DispatchFactory factory) : IClassFixture<DispatchFactory>
{
    [Fact]
    public async Task The_daily_timer_counts_paid_uncancelled_orders_and_the_popularity_sort_follows_it()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign);
        await world.WorkerAsync();
        var customer = await world.CustomerAsync();
        var catalog = factory.Services.GetRequiredService<CatalogStore>();
        var booked = (await catalog.GetAsync<ItemDocument>(ItemDocument.Kind, world.Booking.ItemId, CancellationToken.None)).Document;
        // A second item of the city that an admin started at 5 and nobody orders.
        var quietId = $"quiet-{Guid.NewGuid():N}"[..20];
        await catalog.UpsertAsync(ItemDocument.Kind, booked with
        {
            Id = quietId, Name = "冷门服务", Popularity = 5, PopularityKey = SortKeys.Popularity(5, quietId), PriceKey = SortKeys.Price(booked.PriceFen, quietId),
        }, CancellationToken.None);

        var paid = await world.Booking.BookOkAsync(customer, world.Booking.At(1, 10));
        var alsoPaid = await world.Booking.BookOkAsync(customer, world.Booking.At(1, 13));
        var neverPaid = await world.Booking.BookOkAsync(customer, world.Booking.At(1, 16));
        var paidThenCancelled = await world.Booking.BookOkAsync(customer, world.Booking.At(2, 10));
        foreach (var id in new[] { paid.Id, alsoPaid.Id, paidThenCancelled.Id })
        {
            await world.PayAsync(id);
        }

        // A bare POST (no body) cancels too.
        await (await customer.Client.PostAsync($"/api/customer/orders/{paidThenCancelled.Id}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.PendingPayment, (await world.OrderAsync(neverPaid.Id)).Status);

        var first = await factory.InvokeTimerAsync(ItemPopularityFunction.Name, factory.Clock.GetUtcNow());
        var second = await factory.InvokeTimerAsync(ItemPopularityFunction.Name, factory.Clock.GetUtcNow());

        Assert.Equal(2, await PopularityAsync(world.Booking.ItemId));
        Assert.Equal(0, await PopularityAsync(quietId));
        Assert.Contains("Popularity of 0 items changed", second.Logs);
        Assert.DoesNotContain("Popularity of 0 items changed", first.Logs);
        var browse = await (await (await factory.CreateClient().GetAsync($"/api/catalog/cities/{world.CityId}/items?sort=popularity"))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([world.Booking.ItemId, quietId], browse.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        // Thirty days on, the orders are out of the window and the count decays to zero.
        factory.Clock.Advance(ItemPopularity.Window + TimeSpan.FromDays(1));
        await factory.InvokeTimerAsync(ItemPopularityFunction.Name, factory.Clock.GetUtcNow());
        Assert.Equal(0, await PopularityAsync(world.Booking.ItemId));
    }

    private async Task<long> PopularityAsync(string itemId) =>
        (await (await (await factory.CreateClient().GetAsync($"/api/catalog/items/{itemId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync())
            .GetProperty("popularity").GetInt64();
}
