using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Messaging;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Tests.Messaging;

/// <summary>In Development integration events land on an Azurite queue (the test run's real one) a developer can read.</summary>
[Collection(ApiCollection.Name)]
public sealed class LocalIntegrationEventsTests(ApiFactory factory)
{
    [Fact]
    public async Task In_development_an_event_is_written_to_the_local_queue_as_the_envelope_a_subscriber_would_receive()
    {
        var events = factory.Services.GetRequiredService<IIntegrationEvents>();
        Assert.IsType<StorageQueueIntegrationEvents>(events);
        var placed = IntegrationEventSamples.Placed();

        await events.PublishAsync(placed, CancellationToken.None);

        var queueName = factory.Services.GetRequiredService<IOptions<IntegrationEventsOptions>>().Value.Queue;
        var queue = factory.Services.GetRequiredService<StorageClients>().Queue(queueName);
        var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value
            .Where(m => m.Body.ToString().Contains(placed.Id, StringComparison.Ordinal))
            .ToList();
        var message = Assert.Single(messages);
        Assert.Equal(DateTimeOffset.MaxValue.Year, message.ExpiresOn?.Year);

        using var envelope = JsonDocument.Parse(message.Body);
        var root = envelope.RootElement;
        Assert.Equal(["messageId", "subject", "contentType", "applicationProperties", "body"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(placed.Id, root.GetProperty("messageId").GetString());
        Assert.Equal("OrderPlaced", root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("contentType").GetString());
        var properties = root.GetProperty("applicationProperties");
        Assert.Equal(placed.OrderId, properties.GetProperty("orderId").GetString());
        Assert.Equal("shanghai", properties.GetProperty("cityId").GetString());
        Assert.Equal("pendingPayment", properties.GetProperty("status").GetString());
        Assert.Equal(0, properties.GetProperty("position").GetInt32());
        IntegrationEventSamples.AssertSame(placed, root.GetProperty("body").Deserialize<OrderIntegrationEvent>(CosmosDb.JsonOptions));
    }

    [Fact]
    public void The_local_queue_is_not_one_a_function_reads()
    {
        // A queue function would take the envelopes (and poison them) before a developer could read them.
        Assert.DoesNotContain(IntegrationEventsOptions.DefaultQueue, FunctionCatalog.QueueNames);
    }
}
