using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using HomeService.Functions.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

namespace HomeService.LocalHost;

/// <summary>The local Durable Task engine's settings; host.json's durableTask section gives the defaults.</summary>
public sealed class LocalDurableOptions
{
    public const string Section = "LocalHost:Durable";

    /// <summary>The task hub (default: host.json's hubName). Tests give each host its own.</summary>
    public string? TaskHub { get; set; }

    /// <summary>Control-queue partitions (default: host.json's partitionCount); one is plenty on one machine.</summary>
    public int? PartitionCount { get; set; }

    /// <summary>How long an idle partition waits at most between polls (default: host.json's maxQueuePollingInterval).</summary>
    public TimeSpan? MaxQueuePollingInterval { get; set; }

    /// <summary>
    /// A partition lease a killed process held is taken over when it expires: kept short locally so a restarted local
    /// host resumes its orchestrations within seconds (Azure's default is 30 s).
    /// </summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a message a worker took stays invisible to others (Azure's default is 5 minutes): a message a killed
    /// process had taken is seen again after this, so it is kept short locally too.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The loopback port of the gRPC sidecar (0: a free one).</summary>
    public int Port { get; set; }
}

/// <summary>
/// The task hub on the app's storage (Azurite locally): DurableTask.Core's Azure Storage provider, the same backend the
/// Functions host uses in Azure (host.json durableTask.storageProvider).
/// </summary>
public sealed class LocalTaskHub
{
    public LocalTaskHub(IConfiguration configuration, HostJson hostJson, IOptions<LocalDurableOptions> options, ILoggerFactory loggers)
    {
        var o = options.Value;
        var connection = configuration["AzureWebJobsStorage"] is { Length: > 0 } host ? host : configuration["Storage:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new InvalidOperationException("The local Durable Task engine needs a storage connection string (AzureWebJobsStorage or Storage:ConnectionString).");
        }

        Name = o.TaskHub ?? hostJson.Durable.HubName;
        Service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connection),
            TaskHubName = Name,
            PartitionCount = o.PartitionCount ?? hostJson.Durable.PartitionCount,
            MaxQueuePollingInterval = o.MaxQueuePollingInterval ?? hostJson.Durable.MaxQueuePollingInterval,
            MaxConcurrentTaskActivityWorkItems = hostJson.Durable.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = hostJson.Durable.MaxConcurrentOrchestrations,
            LeaseInterval = o.LeaseInterval,
            ControlQueueVisibilityTimeout = o.MessageVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = o.MessageVisibilityTimeout,
            LeaseRenewInterval = o.LeaseInterval / 3,
            LeaseAcquireInterval = o.LeaseInterval / 4,
            // Unique per process: a restarted host must not be mistaken for the one whose leases it waits out.
            WorkerId = $"localhost-{Environment.ProcessId}-{Guid.NewGuid():N}",
            LoggerFactory = loggers,
        });
    }

    public string Name { get; }

    public AzureStorageOrchestrationService Service { get; }
}

/// <summary>
/// Serves the Durable Task gRPC protocol on loopback in front of the task hub (<see cref="TaskHubGrpcServer"/>, in its own
/// small host so it has its own lifetime), for the app's DurableTask worker and client. The orchestration service comes
/// from the app's container, so a test can put a decorator in front of the task hub; the sidecar sees it through a
/// <see cref="StartStopGuard"/>.
/// </summary>
public sealed class LocalDurableSidecar(
    IOrchestrationService service, IOrchestrationServiceClient client, LocalDurableEndpoint endpoint, ILoggerFactory loggers) : IHostedService
{
    private readonly StartStopGuard _taskHub = new(service);
    private IHost? _host;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await service.CreateIfNotExistsAsync();
        var host = Build(_taskHub, client, endpoint, loggers);
        await host.StartAsync(cancellationToken);
        _host = host;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.StopAsync(cancellationToken);
            host.Dispose();
        }

        // Let go of the partition leases now, so the next host (a restart) takes them at once: the sidecar's own stop
        // runs unawaited from ApplicationStopping; this waits for it (or does nothing if the task hub never started).
        await _taskHub.StopAsync();
    }

    // A bare host: Kestrel on loopback, HTTP/2, the gRPC service and nothing else (no configuration sources, file
    // watchers or console lifetime of the default builder — the app's own host has those).
    private static IHost Build(IOrchestrationService taskHub, IOrchestrationServiceClient client, LocalDurableEndpoint endpoint, ILoggerFactory loggers) =>
        new HostBuilder()
            .ConfigureWebHost(web =>
            {
                web.UseKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
                web.UseUrls(endpoint.Address.ToString());
                web.ConfigureServices(s =>
                {
                    s.AddSingleton(loggers);
                    s.AddGrpc();
                    s.AddSingleton(taskHub);
                    s.AddSingleton(client);
                    s.AddSingleton<TaskHubGrpcServer>();
                });
                web.Configure(app => app.UseRouting().UseEndpoints(e => e.MapGrpcService<TaskHubGrpcServer>()));
            })
            .Build();
}

/// <summary>Where the sidecar listens, decided before anything starts (the worker and client channels need it up front).</summary>
public sealed class LocalDurableEndpoint
{
    public LocalDurableEndpoint(IOptions<LocalDurableOptions> options)
    {
        var port = options.Value.Port;
        if (port == 0)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        Address = new Uri($"http://127.0.0.1:{port}");
        Channel = GrpcChannel.ForAddress(Address);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }
}

/// <summary>An activity function run as a DurableTask activity: the method called as the worker calls it (<see cref="LocalFunctionInvoker"/>).</summary>
internal sealed class MethodActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.ParameterType;

    public Type OutputType => function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetGenericArguments()[0] : typeof(object);

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        var run = await services.GetRequiredService<LocalFunctionInvoker>().InvokeActivityAsync(function, input, services, context.InstanceId);
        if (!run.Succeeded)
        {
            // The orchestration sees the activity fail with this exception (its retry policy decides what next).
            ExceptionDispatchInfo.Throw(run.Error!);
        }

        return run.ReturnValue;
    }
}

public static class LocalDurableRegistration
{
    /// <summary>The Durable Task engine, worker and client of the local host, running the catalog's orchestrators and activities.</summary>
    public static IServiceCollection AddLocalDurable(this IServiceCollection services, IConfiguration configuration)
    {
        // Off only for hosts without a storage emulator (tests of parts that never reach an orchestration).
        if (!configuration.GetValue("LocalHost:Durable:Enabled", true))
        {
            return services;
        }

        services.Configure<LocalDurableOptions>(configuration.GetSection(LocalDurableOptions.Section));
        services.AddSingleton<LocalTaskHub>();
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<LocalTaskHub>().Service);
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<LocalTaskHub>().Service);
        services.AddSingleton<LocalDurableEndpoint>();
        // Before the worker's hosted service: the worker connects to the sidecar when it starts.
        services.AddHostedService<LocalDurableSidecar>();

        var orchestrators = FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Orchestration).ToArray();
        var activities = FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Activity).ToArray();
        services.AddSingleton(new LocalDurableFunctions(orchestrators, activities));
        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(registry =>
            {
                foreach (var orchestrator in orchestrators)
                {
                    registry.AddOrchestrator(orchestrator.Name, orchestrator.Method.DeclaringType!);
                }

                foreach (var activity in activities)
                {
                    registry.AddActivity(activity.Name, sp => new MethodActivity(activity, sp));
                }
            });
            builder.UseGrpc();
            builder.Configure(o =>
            {
                // Orchestrators cap their own waits to what the Azure Storage provider can hold (they wait in business time).
                o.MaximumTimerInterval = TimeSpan.FromDays(3650);
            });
        });
        services.AddOptions<Microsoft.DurableTask.Worker.Grpc.GrpcDurableTaskWorkerOptions>()
            .Configure<LocalDurableEndpoint>((o, endpoint) => o.Channel = endpoint.Channel);
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc();
            builder.RegisterDirectly();
        });
        services.AddOptions<Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClientOptions>()
            .Configure<LocalDurableEndpoint>((o, endpoint) => o.Channel = endpoint.Channel);
        return services;
    }
}

/// <summary>The orchestrator and activity functions the local host registered with its DurableTask worker.</summary>
public sealed record LocalDurableFunctions(IReadOnlyList<FunctionDescriptor> Orchestrators, IReadOnlyList<FunctionDescriptor> Activities);
