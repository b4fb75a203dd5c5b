using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Domain.Workers;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Merchants;

namespace HomeService.Functions.Workers;

public sealed class WorkerOptions
{
    public const string Section = "Workers";

    /// <summary>Base64 HMAC-SHA256 key (≥ 32 bytes) for ID-number hashes. Key Vault in Azure; random per process in Development when empty.</summary>
    public string? IdNumberHashKey { get; set; }
}

/// <summary>
/// ID numbers are kept only as a keyed hash (uniqueness without the clear number). The key must stay the
/// same across deployments, or existing hashes stop matching.
/// </summary>
public sealed class IdNumberProtector(byte[] key)
{
    public string Hash(string normalizedIdNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(normalizedIdNumber)));
}

public static class WorkerSetup
{
    public static IServiceCollection AddWorkersAndMerchants(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        byte[] key;
        if (string.IsNullOrWhiteSpace(options.IdNumberHashKey))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("Workers:IdNumberHashKey is required outside Development (a Key Vault reference in Azure).");
            }

            // Development without a key: hashes are only comparable within this process, like the dev JWT key.
            key = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            try
            {
                key = Convert.FromBase64String(options.IdNumberHashKey);
            }
            catch (FormatException)
            {
                // E.g. an unresolved Key Vault reference: refuse to start rather than hash with the wrong key.
                throw new InvalidOperationException("Workers:IdNumberHashKey is not base64 (is the Key Vault secret worker-id-hash-key set?).");
            }

            if (key.Length < 32)
            {
                throw new InvalidOperationException("Workers:IdNumberHashKey must be at least 32 bytes (base64).");
            }
        }

        services.AddSingleton(new IdNumberProtector(key));
        services.AddSingleton<WorkerStore>();
        services.AddSingleton<MerchantStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapWorkerAndMerchantEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapWorkerEndpoints();
        routes.MapAdminWorkerEndpoints();
        routes.MapWorkerChangeEndpoints();
        routes.MapMerchantEndpoints();
        routes.MapAdminMerchantEndpoints();
        return routes;
    }
}

/// <summary>Between the stored <see cref="AuditStatus"/> and the domain's <see cref="AuditState"/>, and audit errors → ProblemDetails.</summary>
public static class Audit
{
    public static AuditState ToDomain(this AuditStatus status) => status switch
    {
        AuditStatus.Registered => AuditState.Registered,
        AuditStatus.Submitted => AuditState.Submitted,
        AuditStatus.Approved => AuditState.Approved,
        AuditStatus.Rejected => AuditState.Rejected,
        AuditStatus.Suspended => AuditState.Suspended,
        AuditStatus.Banned => AuditState.Banned,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static AuditStatus FromDomain(this AuditState state) => state switch
    {
        AuditState.Registered => AuditStatus.Registered,
        AuditState.Submitted => AuditStatus.Submitted,
        AuditState.Approved => AuditStatus.Approved,
        AuditState.Rejected => AuditStatus.Rejected,
        AuditState.Suspended => AuditStatus.Suspended,
        AuditState.Banned => AuditStatus.Banned,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Wire(AuditStatus status) => JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    public static AuditStatus ParseStatus(string? raw, AuditStatus fallback)
    {
        if (raw is null)
        {
            return fallback;
        }

        return Enum.TryParse<AuditStatus>(raw, ignoreCase: true, out var status) && Enum.IsDefined(status)
            ? status
            : throw ValidationFailedException.For("status", "invalid");
    }

    /// <summary>Throws the API answer for a refused audit command: 400 for bad data, 409 naming the current state.</summary>
    public static void ThrowIfError(AuditDecision decision)
    {
        if (decision.Error is not { } error)
        {
            return;
        }

        if (error.Kind == AuditErrorKind.Invalid)
        {
            throw ValidationFailedException.For("reason", error.Code == AuditError.ReasonTooLong ? "too_long" : "required", AuditTransitions.MaxReasonLength);
        }

        throw WrongState(FromDomain(error.Current), JsonNamingPolicy.CamelCase.ConvertName(error.Command));
    }

    public static ConflictException WrongState(AuditStatus current, string action)
    {
        var conflict = new ConflictException("audit_not_allowed", action, current.ToString());
        conflict.Details["currentStatus"] = Wire(current);
        return conflict;
    }
}
