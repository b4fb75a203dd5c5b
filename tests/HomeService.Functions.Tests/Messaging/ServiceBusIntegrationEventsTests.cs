using System.Text.Json;
using Azure.Messaging.ServiceBus;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace HomeService.Functions.Tests.Messaging;

/// <summary>What reaches the Service Bus topic for a published event, through a Moq'd <see cref="ServiceBusSender"/>.</summary>
public sealed class ServiceBusIntegrationEventsTests
{
    private readonly Mock<ServiceBusSender> _sender = new(MockBehavior.Strict);
    private readonly List<ServiceBusMessage> _sent = [];

    public ServiceBusIntegrationEventsTests()
    {
        _sender.SetupGet(s => s.EntityPath).Returns(IntegrationEventsOptions.DefaultTopic);
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Callback<ServiceBusMessage, CancellationToken>((message, _) => _sent.Add(message))
            .Returns(Task.CompletedTask);
    }

    private ServiceBusIntegrationEvents Events => new(_sender.Object, NullLogger<ServiceBusIntegrationEvents>.Instance);

    [Fact]
    public async Task A_publish_sends_one_message_keyed_by_the_event_id_with_its_type_properties_and_the_event_as_json()
    {
        var placed = IntegrationEventSamples.Placed();

        await Events.PublishAsync(placed, CancellationToken.None);

        var message = Assert.Single(_sent);
        Assert.Equal($"{placed.OrderId}:0", message.MessageId);
        Assert.Equal("OrderPlaced", message.Subject);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(placed.OrderId, message.ApplicationProperties["orderId"]);
        Assert.Equal("shanghai", message.ApplicationProperties["cityId"]);
        Assert.Equal("pendingPayment", message.ApplicationProperties["status"]);
        Assert.Equal(0, message.ApplicationProperties["position"]);
        Assert.Equal(4, message.ApplicationProperties.Count);

        IntegrationEventSamples.AssertSame(placed, message.Body.ToObjectFromJson<OrderIntegrationEvent>(CosmosDb.JsonOptions));
        using var body = JsonDocument.Parse(message.Body);
        Assert.Equal(
            ["id", "type", "orderId", "cityId", "status", "position", "occurredAt", "data"],
            body.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Publishing_an_event_again_sends_it_again_with_the_same_message_id_for_duplicate_detection_to_drop()
    {
        var placed = IntegrationEventSamples.Placed();

        // The calling activity is retried when its first run died after the send: the repeat is not deduplicated here.
        await Events.PublishAsync(placed, CancellationToken.None);
        await Events.PublishAsync(placed, CancellationToken.None);

        Assert.Equal(2, _sent.Count);
        Assert.Equal(_sent[0].MessageId, _sent[1].MessageId);
        Assert.Equal(_sent[0].Body.ToString(), _sent[1].Body.ToString());
    }

    [Fact]
    public async Task A_sender_that_fails_makes_the_publish_fail_so_the_activity_is_retried()
    {
        var timeout = new ServiceBusException("The operation did not complete within the allocated time.", ServiceBusFailureReason.ServiceTimeout);
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>())).ThrowsAsync(timeout);

        var thrown = await Assert.ThrowsAsync<ServiceBusException>(() => Events.PublishAsync(IntegrationEventSamples.Placed(), CancellationToken.None));

        Assert.Same(timeout, thrown);
        Assert.True(thrown.IsTransient);
    }

    [Fact]
    public async Task An_event_whose_id_is_not_order_and_position_is_refused_before_anything_is_sent()
    {
        var placed = IntegrationEventSamples.Placed();

        // A fresh id per attempt would defeat duplicate detection.
        await Assert.ThrowsAsync<ArgumentException>(() => Events.PublishAsync(placed with { Id = Guid.NewGuid().ToString() }, CancellationToken.None));

        Assert.Empty(_sent);
    }
}
