using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Functions.Infrastructure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Dispatch;

public sealed class PrivacyNumberOptions
{
    public const string Section = "PrivacyNumbers";

    /// <summary>
    /// "Sandbox" (Development only, its default: a local stand-in for a privacy-number service that hands out virtual
    /// numbers) or "Masked" (the default elsewhere: no privacy-number service; the worker sees the phone masked).
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>How long after the booked end a binding keeps ringing the customer.</summary>
    public int ValidMinutesAfterEnd { get; set; } = 120;
}

/// <summary>Calls from <see cref="WorkerId"/> about <see cref="OrderId"/> reach <see cref="CustomerPhone"/> until <see cref="ExpiresAt"/>.</summary>
public sealed record PrivacyBinding(string OrderId, string WorkerId, string CustomerPhone, DateTimeOffset ExpiresAt);

/// <summary>A virtual number the worker dials; it forwards to the customer while the binding lasts.</summary>
public sealed record PrivacyNumber(string Number, DateTimeOffset ExpiresAt);

/// <summary>
/// The privacy-number port (隐私号, an "AXB" binding): while an order is active its worker reaches the customer through a
/// virtual number and never sees the real one. Binding is idempotent per order and worker.
/// </summary>
public interface IPrivacyNumbers
{
    /// <summary>The number to show, or null when this deployment has no privacy-number service (the phone is then masked).</summary>
    Task<PrivacyNumber?> BindAsync(PrivacyBinding binding, CancellationToken ct);
}

/// <summary>No privacy-number service: nothing is bound and the worker sees the customer's phone masked.</summary>
public sealed class MaskedPhoneNumbers : IPrivacyNumbers
{
    public Task<PrivacyNumber?> BindAsync(PrivacyBinding binding, CancellationToken ct) => Task.FromResult<PrivacyNumber?>(null);
}

/// <summary>A sandbox binding, in `system` as <c>privacy-number:{orderId}:{workerId}</c> (what a provider would keep).</summary>
public sealed record SandboxPrivacyBindingDocument
{
    public const string Kind = "privacy-number";

    public static string IdFor(string orderId, string workerId) => $"{Kind}:{orderId}:{workerId}";

    public required string Id { get; init; }
    public string Type { get; init; } = Kind;
    public required string OrderId { get; init; }
    public required string WorkerId { get; init; }
    public required string CustomerPhone { get; init; }
    public required string Number { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>
/// Development's privacy-number service: it hands out a virtual number in the 170 segment (derived from the order and
/// worker, so a repeat gets the same one) and keeps the binding, as a provider's AXB binding would, without calling anyone.
/// </summary>
public sealed class SandboxPrivacyNumbers(CosmosDb db) : IPrivacyNumbers
{
    public async Task<PrivacyNumber?> BindAsync(PrivacyBinding binding, CancellationToken ct)
    {
        var id = SandboxPrivacyBindingDocument.IdFor(binding.OrderId, binding.WorkerId);
        var document = new SandboxPrivacyBindingDocument
        {
            Id = id, OrderId = binding.OrderId, WorkerId = binding.WorkerId, CustomerPhone = binding.CustomerPhone,
            Number = NumberFor(binding.OrderId, binding.WorkerId), ExpiresAt = binding.ExpiresAt,
        };
        var stored = await db.System.ReadOrNullAsync<SandboxPrivacyBindingDocument>(id, id, ct);
        if (stored?.Resource is { } existing && existing.ExpiresAt == binding.ExpiresAt && existing.CustomerPhone == binding.CustomerPhone)
        {
            return new PrivacyNumber(existing.Number, existing.ExpiresAt);
        }

        // Two views binding at once write the same binding.
        await db.System.UpsertItemAsync(document, new PartitionKey(id), cancellationToken: ct);
        return new PrivacyNumber(document.Number, document.ExpiresAt);
    }

    /// <summary>A mainland virtual-operator number (+86 170…), stable for an order and worker.</summary>
    public static string NumberFor(string orderId, string workerId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{orderId}\n{workerId}"));
        var digits = BitConverter.ToUInt32(hash, 0) % 100_000_000;
        return $"+86170{digits:D8}";
    }
}

public static class PrivacyNumberSetup
{
    /// <summary><c>PrivacyNumbers:Provider</c>: Sandbox (Development only, its default) or Masked (the default elsewhere).</summary>
    public static IServiceCollection AddPrivacyNumbers(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(PrivacyNumberOptions.Section);
        services.Configure<PrivacyNumberOptions>(section);
        var options = section.Get<PrivacyNumberOptions>() ?? new PrivacyNumberOptions();
        var provider = options.Provider is { Length: > 0 } configured ? configured : environment.IsDevelopment() ? "Sandbox" : "Masked";
        switch (provider.ToUpperInvariant())
        {
            case "SANDBOX":
                if (!environment.IsDevelopment())
                {
                    throw new InvalidOperationException("PrivacyNumbers:Provider=Sandbox is a local sandbox and is refused outside Development.");
                }

                services.AddSingleton<IPrivacyNumbers, SandboxPrivacyNumbers>();
                break;
            case "MASKED":
                services.AddSingleton<IPrivacyNumbers, MaskedPhoneNumbers>();
                break;
            default:
                throw new InvalidOperationException($"PrivacyNumbers:Provider must be Sandbox or Masked, not '{provider}'.");
        }

        return services;
    }
}
