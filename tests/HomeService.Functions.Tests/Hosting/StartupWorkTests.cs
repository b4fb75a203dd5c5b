using HomeService.Functions.Catalog;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Seed;
using HomeService.Functions.Tests.Catalog;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// Cold start (docs/PERFORMANCE.md): a start whose database, containers and demo seed exist finds that out cheaply —
/// one container feed, one marker read — instead of repeating every create and upsert; a changed seed is written again.
/// </summary>
public sealed class StartupWorkTests(SeededApiFactory factory) : IClassFixture<SeededApiFactory>
{
    [Fact]
    public async Task Ensuring_existing_containers_is_one_request_and_creates_a_missing_one()
    {
        _ = factory.Services; // the host has started: every container exists
        var db = factory.Services.GetRequiredService<CosmosDb>();

        var usage = CosmosRequestMeter.Begin();
        await db.EnsureCreatedAsync(CancellationToken.None);
        Assert.Equal(1, usage.Requests);

        await db.Container(CosmosContainers.Wallets).DeleteContainerAsync();
        await db.EnsureCreatedAsync(CancellationToken.None);
        var wallets = await db.Container(CosmosContainers.Wallets).ReadContainerAsync();
        Assert.Equal("/ownerKey", wallets.Resource.PartitionKeyPath);
    }

    [Fact]
    public async Task A_present_seed_costs_one_read_and_a_changed_one_is_seeded_again()
    {
        var seeder = factory.Services.GetRequiredService<DemoCatalogSeeder>();
        var db = factory.Services.GetRequiredService<CosmosDb>();

        var usage = CosmosRequestMeter.Begin();
        await seeder.EnsureSeededAsync(CancellationToken.None);
        Assert.Equal(1, usage.Requests);

        // An older demo catalog's marker, and an item the older seed had left otherwise.
        await db.System.UpsertItemAsync(new DemoSeedMarker(DemoCatalogSeeder.MarkerId, "older", DateTimeOffset.UnixEpoch),
            new PartitionKey(DemoCatalogSeeder.MarkerId));
        await db.Catalog.DeleteItemAsync<object>(DemoCatalog.Items[0].Id, new PartitionKey(ItemDocument.Kind));
        usage = CosmosRequestMeter.Begin();
        await seeder.EnsureSeededAsync(CancellationToken.None);
        Assert.True(usage.Requests > 30, $"{usage.Requests} requests");
        var marker = await db.System.ReadItemAsync<DemoSeedMarker>(DemoCatalogSeeder.MarkerId, new PartitionKey(DemoCatalogSeeder.MarkerId));
        Assert.Equal(DemoCatalogSeeder.Version(), marker.Resource.Version);
        var store = factory.Services.GetRequiredService<CatalogStore>();
        Assert.Contains(DemoCatalog.Items[0].Id, await store.ExistingIdsAsync(ItemDocument.Kind, [DemoCatalog.Items[0].Id], CancellationToken.None));
    }

    [Fact]
    public void The_app_is_ready_once_started()
    {
        _ = factory.Services;
        Assert.True(factory.Services.GetRequiredService<StartupReadiness>().IsReady);
    }
}
