using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Auth;

/// <summary>Tencent Cloud SMS (API 2021-01-11), under <c>Auth:Sms:TencentCloud</c>.</summary>
public sealed class TencentCloudSmsOptions
{
    public string? SecretId { get; set; }
    /// <summary>API secret key. Key Vault in Azure; never logged.</summary>
    public string? SecretKey { get; set; }
    public string? SdkAppId { get; set; }
    /// <summary>The approved SMS signature (签名), e.g. the company's short name.</summary>
    public string? SignName { get; set; }
    /// <summary>An approved template with two parameters: {1} the code, {2} the minutes it stays valid.</summary>
    public string? TemplateId { get; set; }
    public string Region { get; set; } = "ap-guangzhou";
    public string BaseUrl { get; set; } = "https://sms.tencentcloudapi.com/";

    /// <summary>The settings that are missing, as configuration keys; empty when the provider can start.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                missing.Add($"Auth:Sms:TencentCloud:{name}");
            }
        }

        Require(SecretId, nameof(SecretId));
        Require(SecretKey, nameof(SecretKey));
        Require(SdkAppId, nameof(SdkAppId));
        Require(SignName, nameof(SignName));
        Require(TemplateId, nameof(TemplateId));
        Require(Region, nameof(Region));
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            missing.Add("Auth:Sms:TencentCloud:BaseUrl");
        }

        return missing;
    }
}

/// <summary>
/// Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256) for JSON POSTs: canonical request → string to sign →
/// key derived from the secret key, the UTC date, the service and "tc3_request" → hex HMAC.
/// </summary>
public static class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";
    public const string ContentType = "application/json; charset=utf-8";
    public const string SignedHeaders = "content-type;host";

    public static string CanonicalRequest(string host, string payload) =>
        $"POST\n/\n\ncontent-type:{ContentType}\nhost:{host.ToLowerInvariant()}\n\n{SignedHeaders}\n{Sha256Hex(payload)}";

    /// <summary>The date is the UTC date of the timestamp: a UTC+8 date fails every request signed just after midnight there.</summary>
    public static string CredentialScope(long timestamp, string service) =>
        $"{DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{service}/tc3_request";

    public static string StringToSign(long timestamp, string service, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{CredentialScope(timestamp, service)}\n{Sha256Hex(canonicalRequest)}";

    public static string Signature(string secretKey, long timestamp, string service, string stringToSign)
    {
        var date = CredentialScope(timestamp, service)[..10];
        var secretDate = Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date);
        var secretService = Hmac(secretDate, service);
        var secretSigning = Hmac(secretService, "tc3_request");
        return Convert.ToHexStringLower(Hmac(secretSigning, stringToSign));
    }

    public static string Authorization(string secretId, string secretKey, string service, string host, string payload, long timestamp)
    {
        var signature = Signature(secretKey, timestamp, service, StringToSign(timestamp, service, CanonicalRequest(host, payload)));
        return $"{Algorithm} Credential={secretId}/{CredentialScope(timestamp, service)}, SignedHeaders={SignedHeaders}, Signature={signature}";
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static byte[] Hmac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message));
}

/// <summary>The SMS gateway failed for a reason the user can't fix (credentials, quota, template): 503 to the client.</summary>
public sealed class SmsGatewayException(string providerCode, string? requestId)
    : AppException(StatusCodes.Status503ServiceUnavailable, "service_unavailable")
{
    public string ProviderCode { get; } = providerCode;
    public string? RequestId { get; } = requestId;
}

/// <summary>
/// Login codes through Tencent Cloud SMS <c>SendSms</c>. Per-phone rate limits the gateway enforces become 429 with
/// Retry-After, an invalid number becomes 400, every other refusal 503 (<see cref="SmsGatewayException"/>), so the
/// login endpoint answers a ProblemDetails, never a 500.
/// </summary>
/// <remarks>A singleton (SmsLogin is one) that takes a fresh client from the factory per send, so handlers still rotate.</remarks>
public sealed class TencentCloudSmsSender(
    IHttpClientFactory clients, IOptions<AuthOptions> options, TimeProvider time, ILogger<TencentCloudSmsSender> logger) : ISmsSender
{
    public const string HttpClientName = "TencentCloudSms";
    public const string Service = "sms";
    public const string Action = "SendSms";
    public const string Version = "2021-01-11";

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    // Plain UTF-8 ("+86…", Chinese signature names): the body is JSON for an API, never embedded in HTML.
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task SendLoginCodeAsync(string e164, string code, CancellationToken ct)
    {
        var sms = options.Value.Sms;
        var o = sms.TencentCloud;
        var minutes = (int)Math.Ceiling(sms.CodeLifetime.TotalMinutes);
        var payload = JsonSerializer.Serialize(new SendSmsRequest(
            [e164], o.SdkAppId!, o.SignName!, o.TemplateId!, [code, minutes.ToString(CultureInfo.InvariantCulture)]), Json);

        var uri = new Uri(o.BaseUrl);
        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(Tc3Signer.ContentType);
        request.Headers.TryAddWithoutValidation("Authorization", Tc3Signer.Authorization(o.SecretId!, o.SecretKey!, Service, uri.Host, payload, timestamp));
        request.Headers.Add("X-TC-Action", Action);
        request.Headers.Add("X-TC-Version", Version);
        request.Headers.Add("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-TC-Region", o.Region);

        var phone = PhoneNumber.Mask(e164);
        SendSmsResponse? body;
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            body = TryRead(text);
            if (!response.IsSuccessStatusCode || body?.Response is null)
            {
                logger.LogError("Tencent Cloud SMS answered HTTP {Status} without a readable response for {Phone}", (int)response.StatusCode, phone);
                throw new SmsGatewayException($"HTTP_{(int)response.StatusCode}", null);
            }
        }
        catch (HttpRequestException e)
        {
            logger.LogError(e, "Tencent Cloud SMS unreachable sending a login code to {Phone}", phone);
            throw new SmsGatewayException("TRANSPORT", null);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "Tencent Cloud SMS timed out sending a login code to {Phone}", phone);
            throw new SmsGatewayException("TIMEOUT", null);
        }

        var result = body.Response;
        if (result.Error is { } error)
        {
            throw Failure(error.Code ?? "Unknown", error.Message, result.RequestId, phone, now);
        }

        var status = result.SendStatusSet?.FirstOrDefault();
        if (status is null)
        {
            throw Failure("EmptySendStatusSet", null, result.RequestId, phone, now);
        }

        if (!string.Equals(status.Code, "Ok", StringComparison.Ordinal))
        {
            throw Failure(status.Code ?? "Unknown", status.Message, result.RequestId, phone, now);
        }

        logger.LogInformation("Login code sent to {Phone} by Tencent Cloud SMS (serial {SerialNo}, request {RequestId})", phone, status.SerialNo, result.RequestId);
    }

    /// <summary>Maps a Tencent Cloud error code to the answer the login endpoint gives.</summary>
    public static AppException Map(string code, string? requestId, DateTimeOffset now) => code switch
    {
        "LimitExceeded.PhoneNumberThirtySecondLimit" => new TooManyRequestsException(TimeSpan.FromSeconds(30)),
        "LimitExceeded.DeliveryFrequencyLimit" => new TooManyRequestsException(TimeSpan.FromMinutes(1)),
        "LimitExceeded.PhoneNumberOneHourLimit" => new TooManyRequestsException(TimeSpan.FromHours(1)),
        // Daily limits reset at midnight China time.
        "LimitExceeded.PhoneNumberDailyLimit" or "LimitExceeded.PhoneNumberSameContentDailyLimit" =>
            new TooManyRequestsException(UntilChinaMidnight(now)),
        "InvalidParameterValue.IncorrectPhoneNumber" or "FailedOperation.PhoneNumberParseFail" =>
            ValidationFailedException.For("phone", "invalid_phone"),
        _ => new SmsGatewayException(code, requestId),
    };

    private AppException Failure(string code, string? message, string? requestId, string phone, DateTimeOffset now)
    {
        var failure = Map(code, requestId, now);
        if (failure is SmsGatewayException)
        {
            // Our side (credentials, signature, template, balance, app quota): someone has to act.
            logger.LogError("Tencent Cloud SMS refused a login code to {Phone}: {Code} {Message} (request {RequestId})", phone, code, message, requestId);
        }
        else
        {
            logger.LogWarning("Tencent Cloud SMS refused a login code to {Phone}: {Code} (request {RequestId})", phone, code, requestId);
        }

        return failure;
    }

    private static TimeSpan UntilChinaMidnight(DateTimeOffset now)
    {
        var local = now.ToOffset(ChinaOffset);
        var midnight = new DateTimeOffset(local.Date.AddDays(1), ChinaOffset);
        return midnight - now;
    }

    private static SendSmsResponse? TryRead(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<SendSmsResponse>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record SendSmsRequest(
        string[] PhoneNumberSet,
        string SmsSdkAppId,
        string SignName,
        string TemplateId,
        string[] TemplateParamSet);

    private sealed record SendSmsResponse(SendSmsResult? Response);

    private sealed record SendSmsResult(SendStatus[]? SendStatusSet, ApiError? Error, string? RequestId);

    private sealed record SendStatus(string? SerialNo, string? PhoneNumber, string? Code, string? Message);

    private sealed record ApiError(string? Code, string? Message);
}
