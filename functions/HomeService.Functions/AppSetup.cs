using System.Text.Json.Serialization;
using HomeService.Functions.Admin;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Customers;
using HomeService.Functions.Dispatch;
using HomeService.Functions.Catalog;
using HomeService.Functions.Health;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Messaging;
using HomeService.Functions.Money;
using HomeService.Functions.Notifications;
using HomeService.Functions.Orders;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Payments;
using HomeService.Functions.Reviews;
using HomeService.Functions.Seed;
using HomeService.Functions.Uploads;
using HomeService.Functions.Workers;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace HomeService.Functions;

/// <summary>Composition of the app: services and the HTTP pipeline, shared by Program and the tests.</summary>
public static class AppSetup
{
    public static IServiceCollection AddHomeService(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton(TimeProvider.System);
        services.Configure<CosmosOptions>(configuration.GetSection(CosmosOptions.Section));
        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.Section));
        services.Configure<HostingOptions>(configuration.GetSection(HostingOptions.Section));
        services.AddSingleton<CosmosDb>();
        services.AddSingleton<StorageClients>();
        services.AddSingleton<QueueProvisioner>();
        services.AddSingleton<StartupReadiness>();
        services.AddSingleton<ApiPipeline>();
        services.AddSingleton<Addresses>();
        services.AddSingleton<MessageCenter>();
        services.AddSingleton<DurableClientAccessor>();
        services.AddSingleton<IOrderOrchestrations, DurableOrderOrchestrations>();
        services.AddSingleton<OrderLifecycle>();
        services.AddSingleton<OrderReactions>();
        services.AddSingleton<OrderEventHandler>();
        services.AddSingleton<LifecycleOversight>();
        services.AddHomeServicePush(configuration, environment);
        services.AddIntegrationEvents(configuration, environment);

        services.AddSingleton<CatalogStore>();
        services.AddSingleton<ItemPopularity>();
        services.AddSingleton<Admin.AdminAudit>();
        services.AddSingleton<Reviews.OrderReviews>();
        services.AddSingleton<CitySettingsStore>();
        services.AddSingleton<WorkerSchedules>();
        services.AddSingleton<Candidates>();
        services.AddSingleton<Reservations>();
        services.AddSingleton<IdempotencyRecords>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<OrderChanges>();
        services.AddSingleton<Handover>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<OrderActions>();
        services.AddSingleton<WorkerOrderViews>();
        services.AddPrivacyNumbers(configuration, environment);
        services.AddSingleton<GrabPool>();
        services.AddSingleton<UploadStore>();
        services.AddMoney(configuration, environment);
        services.AddHostedService<StartupInitializer>();
        services.AddHostedService<DemoCatalogSeeder>();

        services.AddHomeServiceAuth(configuration, environment);
        services.AddWorkersAndMerchants(configuration, environment);
        services.AddHomeServicePayments(configuration, environment);
        services.AddSingleton<OrderPayments>();
        services.AddSingleton<OrderPaymentEvents>();
        services.AddSingleton<IPaymentEvents>(sp => sp.GetRequiredService<OrderPaymentEvents>());
        services.AddSingleton<OrderMoneyReactions>();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemMapping.Customize);
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new OffsetRequiredDateTimeOffsetConverter());
        });
        services.AddRouting();
        services.AddOpenApi(o => o.AddHomeServiceContract());
        return services;
    }

    /// <summary>The endpoint table of the public API (<see cref="ApiPipeline"/> runs it behind its middleware).</summary>
    public static IEndpointRouteBuilder MapHomeServiceApi(this IEndpointRouteBuilder app, IHostEnvironment environment, AuthOptions auth)
    {
        // One document (v1); the constraint sends any other name to the ProblemDetails 404 like every unknown route.
        app.MapOpenApi("/api/openapi/{documentName:regex(^v1$)}.json");
        if (environment.IsDevelopment())
        {
            app.MapScalarApiReference("/api/docs", o => o.WithOpenApiRoutePattern("/api/openapi/{documentName}.json"));
        }

        app.MapHealthEndpoints();
        app.MapAuthEndpoints(environment, auth);
        app.MapCustomerEndpoints();
        app.MapMessageCenterEndpoints();
        app.MapAdminUserEndpoints();
        app.MapAdminAuditEndpoints();
        app.MapReviewEndpoints();
        app.MapCatalogEndpoints();
        app.MapScheduleEndpoints();
        app.MapBookingEndpoints();
        app.MapDispatchEndpoints();
        app.MapLifecycleEndpoints();
        app.MapUploadEndpoints();
        app.MapWorkerAndMerchantEndpoints();
        app.MapPaymentEndpoints(environment);
        app.MapOrderPaymentEndpoints();
        app.MapMoneyEndpoints();
        app.MapPayoutRunEndpoints();
        return app;
    }
}

/// <summary>
/// Creates local containers and queues before the app serves (only when configured: local stacks) and builds the API
/// pipeline (<see cref="ApiPipeline"/>: the endpoint table, its request delegates) ahead of the first request. Both start
/// in <see cref="StartingAsync"/>, before any hosted service starts, so they run beside the web server's own start
/// instead of after it; <see cref="StartAsync"/> waits for them and then marks the app ready (<see cref="StartupReadiness"/>).
/// </summary>
internal sealed class StartupInitializer(
    IServiceProvider services, CosmosDb db, QueueProvisioner queues, StartupReadiness readiness, ILogger<StartupInitializer> logger) : IHostedLifecycleService
{
    private Task? _pipeline;
    private Task? _storage;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _pipeline = Task.Run(() => services.GetRequiredService<ApiPipeline>(), cancellationToken);
        _storage = Task.Run(async () =>
        {
            await db.EnsureCreatedAsync(cancellationToken);
            await queues.EnsureCreatedAsync(cancellationToken);
        }, cancellationToken);
        return Task.CompletedTask;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_pipeline!, _storage!);
        readiness.MarkReady();
        logger.LogInformation("Storage and database ready");
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
