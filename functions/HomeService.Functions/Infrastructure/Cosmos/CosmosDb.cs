using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>The one <see cref="CosmosClient"/> of the process and the containers the features use.</summary>
public sealed class CosmosDb : IDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private readonly CosmosOptions _options;

    public CosmosDb(IOptions<CosmosOptions> options)
    {
        _options = options.Value;
        if (string.IsNullOrWhiteSpace(_options.Endpoint))
        {
            throw new InvalidOperationException("Cosmos:Endpoint is not configured.");
        }

        var clientOptions = new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            // Local servers advertise their own address; talk only to the configured endpoint.
            LimitToEndpoint = true,
            UseSystemTextJsonSerializerWithOptions = JsonOptions,
            ApplicationName = "HomeService",
        };
        clientOptions.CustomHandlers.Add(new CosmosRequestMeter());
        if (_options.LocalServer)
        {
            clientOptions.CustomHandlers.Add(new LocalServerCompatibility());
        }

        Client = string.IsNullOrEmpty(_options.Key)
            ? new CosmosClient(_options.Endpoint, new DefaultAzureCredential(), clientOptions)
            : new CosmosClient(_options.Endpoint, _options.Key, clientOptions);
    }

    public CosmosClient Client { get; }

    public string DatabaseName => _options.Database;

    public Container Container(string name) => Client.GetContainer(_options.Database, name);

    public Container Users => Container(CosmosContainers.Users);
    public Container Identities => Container(CosmosContainers.Identities);
    public Container Auth => Container(CosmosContainers.Auth);
    public Container Catalog => Container(CosmosContainers.Catalog);
    public Container Profiles => Container(CosmosContainers.Profiles);
    public Container Workers => Container(CosmosContainers.Workers);
    public Container Schedules => Container(CosmosContainers.Schedules);
    public Container Orders => Container(CosmosContainers.Orders);
    public Container Idempotency => Container(CosmosContainers.Idempotency);
    public Container Messages => Container(CosmosContainers.Messages);
    public Container System => Container(CosmosContainers.System);
    public Container Ledger => Container(CosmosContainers.Ledger);
    public Container Wallets => Container(CosmosContainers.Wallets);
    public Container Withdrawals => Container(CosmosContainers.Withdrawals);

    /// <summary>
    /// Creates the database and every missing container when configured to; safe to run repeatedly. When they exist
    /// (every start but the first) this is one request, the container feed, not one create call per container.
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        if (!_options.CreateIfNotExists)
        {
            return;
        }

        var database = Client.GetDatabase(_options.Database);
        var existing = await ContainerNamesAsync(database, ct);
        if (existing is null)
        {
            database = (await Client.CreateDatabaseIfNotExistsAsync(_options.Database, cancellationToken: ct)).Database;
            existing = [];
        }

        foreach (var spec in CosmosContainers.All.Where(s => !existing.Contains(s.Name)))
        {
            await database.CreateContainerIfNotExistsAsync(
                new ContainerProperties(spec.Name, spec.PartitionKeyPath) { DefaultTimeToLive = spec.DefaultTtlSeconds },
                cancellationToken: ct);
        }
    }

    /// <summary>The containers of <paramref name="database"/>; null when the database does not exist.</summary>
    private static async Task<HashSet<string>?> ContainerNamesAsync(Database database, CancellationToken ct)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var feed = database.GetContainerQueryIterator<ContainerProperties>();
            while (feed.HasMoreResults)
            {
                foreach (var container in await feed.ReadNextAsync(ct))
                {
                    names.Add(container.Id);
                }
            }
        }
        catch (CosmosException e) when (e.StatusCode == global::System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        return names;
    }

    /// <summary>Query options every cross-partition query needs on the local server (and that are harmless on Azure).</summary>
    public static QueryRequestOptions QueryOptions(string? partitionKey = null, int maxItemCount = 50) => new()
    {
        PartitionKey = partitionKey is null ? null : new PartitionKey(partitionKey),
        MaxItemCount = maxItemCount,
        EnableOptimisticDirectExecution = true,
    };

    public void Dispose() => Client.Dispose();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}
