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
        services.AddSingleton<HomeFeed>();
        services.AddSingleton<NearbyOffers>();
        services.AddSingleton<WorkerChoices>();
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
        services.AddSingleton<DemoCatalogSeeder>();

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
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
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
        app.MapHomeFeedEndpoints();
        app.MapWorkerChoiceEndpoints();
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
/// Creates local containers and queues and writes the demo data before the app serves (only when configured: local stacks;
/// <see cref="DemoCatalogSeeder"/>) and builds the API
/// pipeline (<see cref="ApiPipeline"/>: the endpoint table, its request delegates) ahead of the first request. Both begin
/// on the thread pool as soon as the host resolves its hosted services (this one is among the first), so they overlap the
/// construction of the others. The pipeline must be complete before the web server starts (<see cref="StartingAsync"/>):
/// mapping its endpoints adds to the route data sources the server's own routing and authorization read, and doing both
/// at once fails ("Collection was modified"). The storage work may run on beside the server's start
/// (<see cref="StartAsync"/> waits for it). The app is marked ready (<see cref="StartupReadiness"/>) once every hosted
/// service has started.
/// </summary>
internal sealed class StartupInitializer : IHostedLifecycleService
{
    private readonly Task _pipeline;
    private readonly Task _storage;
    private readonly StartupReadiness _readiness;
    private readonly ILogger<StartupInitializer> _logger;

    public StartupInitializer(
        IServiceProvider services, StartupReadiness readiness, IHostApplicationLifetime lifetime, ILogger<StartupInitializer> logger)
    {
        _readiness = readiness;
        _logger = logger;
        var stopping = lifetime.ApplicationStopping;
        _pipeline = Task.Run(() => services.GetRequiredService<ApiPipeline>(), stopping);
        // The database and storage clients are made on the thread pool as well (the Cosmos client's construction is
        // ~0.1 s), not here on the thread that goes on to construct the other hosted services.
        _storage = Task.Run(async () =>
        {
            var db = services.GetRequiredService<CosmosDb>();
            var queues = services.GetRequiredService<QueueProvisioner>();
            var seeder = services.GetRequiredService<DemoCatalogSeeder>();
            await db.EnsureCreatedAsync(stopping);
            await queues.EnsureCreatedAsync(stopping);
            await seeder.EnsureSeededAsync(stopping);
        }, stopping);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => _pipeline.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _storage.WaitAsync(cancellationToken);
        _logger.LogInformation("Storage and database ready");
    }

    /// <summary>After every hosted service has started (the local host's Durable engine, timers and queue pollers too).</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _readiness.MarkReady();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
