using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Auth;

/// <summary>Port to an SMS gateway.</summary>
public interface ISmsSender
{
    Task SendLoginCodeAsync(string e164, string code, CancellationToken ct);
}

/// <summary>
/// Local sandbox SMS gateway: records what would be sent. Only allowed in Development, where the sent
/// codes can be read back (GET /api/dev/sms/{phone}) so a person can log in without a phone.
/// </summary>
public sealed class SandboxSmsSender(ILogger<SandboxSmsSender> logger) : ISmsSender
{
    private readonly ConcurrentDictionary<string, string> _lastCodes = new(StringComparer.Ordinal);

    public Task SendLoginCodeAsync(string e164, string code, CancellationToken ct)
    {
        _lastCodes[e164] = code;
        logger.LogInformation("Sandbox SMS: login code sent to {Phone}", Domain.Common.PhoneNumber.Mask(e164));
        return Task.CompletedTask;
    }

    public string? LastCodeFor(string e164) => _lastCodes.TryGetValue(e164, out var code) ? code : null;
}

internal sealed record SmsCodeDocument
{
    public required string Id { get; init; }
    public required string CodeHash { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required DateTimeOffset LastSentAt { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required int SendsInWindow { get; init; }
    public int FailedAttempts { get; init; }
    public bool Consumed { get; init; }
    /// <summary>Cosmos per-item TTL (seconds): the document disappears after the rate-limit window.</summary>
    public int Ttl { get; init; } = 3600;

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>
/// Phone login codes: random 6 digits, stored hashed, expire, single-use, with resend and attempt limits.
/// Every change is an ETag-conditional write so two concurrent verifications can't both consume a code.
/// </summary>
public sealed class SmsLogin(CosmosDb db, TimeProvider time, IOptions<AuthOptions> options, ISmsSender? sender = null)
{
    private SmsLoginOptions Options => options.Value.Sms;

    public async Task SendCodeAsync(string e164, CancellationToken ct)
    {
        if (sender is null)
        {
            throw new FeatureUnavailableException("sms_unavailable");
        }

        var now = time.GetUtcNow();
        var id = DocumentId(e164);
        var current = (await db.Auth.ReadOrNullAsync<SmsCodeDocument>(id, id, ct))?.Resource;
        var windowStart = current is not null && now - current.WindowStart < TimeSpan.FromHours(1) ? current.WindowStart : now;
        var sends = current is not null && windowStart == current.WindowStart ? current.SendsInWindow : 0;

        if (current is not null && now - current.LastSentAt < Options.ResendInterval)
        {
            throw new TooManyRequestsException(Options.ResendInterval - (now - current.LastSentAt));
        }

        if (sends >= Options.MaxSendsPerHour)
        {
            throw new TooManyRequestsException(windowStart.AddHours(1) - now);
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var next = new SmsCodeDocument
        {
            Id = id,
            CodeHash = Hash(e164, code),
            ExpiresAt = now + Options.CodeLifetime,
            LastSentAt = now,
            WindowStart = windowStart,
            SendsInWindow = sends + 1,
        };

        try
        {
            if (current is null)
            {
                await db.Auth.CreateItemAsync(next, new PartitionKey(id), cancellationToken: ct);
            }
            else
            {
                await db.Auth.ReplaceItemAsync(next, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
            }
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
        {
            // Another send for this phone won the race: that one counts, this one is a too-early resend.
            throw new TooManyRequestsException(Options.ResendInterval);
        }

        await sender.SendLoginCodeAsync(e164, code, ct);
    }

    /// <summary>Consumes the code when it matches; any failure is the same answer so codes can't be probed.</summary>
    public async Task VerifyAsync(string e164, string code, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = DocumentId(e164);
        var current = (await db.Auth.ReadOrNullAsync<SmsCodeDocument>(id, id, ct))?.Resource;
        if (current is null || current.Consumed || now >= current.ExpiresAt)
        {
            throw ValidationFailedException.For("code", "code_invalid");
        }

        if (current.FailedAttempts >= Options.MaxVerifyAttempts)
        {
            throw new TooManyRequestsException(current.ExpiresAt - now);
        }

        var matches = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(current.CodeHash), Encoding.ASCII.GetBytes(Hash(e164, code)));
        var next = matches ? current with { Consumed = true } : current with { FailedAttempts = current.FailedAttempts + 1 };
        try
        {
            await db.Auth.ReplaceItemAsync(next, id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = current.ETag }, ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // A concurrent verification changed the document (possibly consumed the code): this attempt loses.
            throw ValidationFailedException.For("code", "code_invalid");
        }

        if (!matches)
        {
            throw ValidationFailedException.For("code", "code_invalid");
        }
    }

    private static string DocumentId(string e164) => $"sms:{e164}";

    private static string Hash(string e164, string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{e164}|{code}")));
}
