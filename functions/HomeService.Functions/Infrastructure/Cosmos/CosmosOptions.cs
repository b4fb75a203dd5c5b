namespace HomeService.Functions.Infrastructure.Cosmos;

public sealed class CosmosOptions
{
    public const string Section = "Cosmos";

    /// <summary>Account endpoint, e.g. https://acct.documents.azure.com:443/ or http://127.0.0.1:8081/ locally.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Account key for local servers. When empty, DefaultAzureCredential (managed identity) is used.</summary>
    public string? Key { get; set; }

    public string Database { get; set; } = "homeservice";

    /// <summary>Create the database and containers at start-up (local stacks only; Bicep owns them in Azure).</summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>Talking to the local npm Cosmos server: enables <see cref="LocalServerCompatibility"/>.</summary>
    public bool LocalServer { get; set; }
}
