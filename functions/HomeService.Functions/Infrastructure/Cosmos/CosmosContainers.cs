namespace HomeService.Functions.Infrastructure.Cosmos;

/// <summary>A Cosmos container the app uses. <see cref="DefaultTtlSeconds"/> = -1 enables per-item TTL.</summary>
public sealed record ContainerSpec(string Name, string PartitionKeyPath, int? DefaultTtlSeconds = null);

/// <summary>
/// Every container and its partition key, in one place. docs/data-model.md explains each key and
/// infra/main.bicep declares the same list (a test compares them).
/// </summary>
public static class CosmosContainers
{
    public const string Users = "users";
    public const string Identities = "identities";
    public const string Auth = "auth";
    public const string Catalog = "catalog";
    public const string Profiles = "profiles";
    public const string Workers = "workers";
    public const string Schedules = "schedules";
    public const string Orders = "orders";
    public const string Idempotency = "idempotency";
    public const string Messages = "messages";
    public const string System = "system";
    public const string Ledger = "ledger";
    public const string Wallets = "wallets";
    public const string Withdrawals = "withdrawals";

    public static readonly IReadOnlyList<ContainerSpec> All =
    [
        new(Users, "/id"),
        new(Identities, "/id"),
        new(Auth, "/id", DefaultTtlSeconds: -1),
        new(Catalog, "/type"),
        new(Profiles, "/userId"),
        new(Workers, "/id"),
        new(Schedules, "/workerId"),
        new(Orders, "/id"),
        new(Idempotency, "/id", DefaultTtlSeconds: -1),
        new(Messages, "/userId"),
        new(System, "/id"),
        new(Ledger, "/id"),
        new(Wallets, "/ownerKey"),
        new(Withdrawals, "/id"),
    ];
}
