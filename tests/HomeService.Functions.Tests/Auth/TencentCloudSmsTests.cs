using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Auth;

public sealed class TencentCloudSmsTests
{
    private const string Phone = "+8613800138000";
    private const string Ok = """
        {"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613800138000","Fee":1,
        "SessionContext":"","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}
        """;

    // 23:30 in China: a daily limit resets in 30 minutes.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 15, 30, 0, TimeSpan.Zero));
    private readonly ListLogger<TencentCloudSmsSender> _log = new();

    private static AuthOptions Options() => new()
    {
        Sms = new SmsLoginOptions
        {
            Provider = "TencentCloud",
            CodeLifetime = TimeSpan.FromMinutes(5),
            TencentCloud = new TencentCloudSmsOptions
            {
                SecretId = "AKIDtestsecretid",
                SecretKey = "test-secret-key",
                SdkAppId = "1400006666",
                SignName = "到家服务",
                TemplateId = "449739",
                Region = "ap-guangzhou",
                BaseUrl = "https://sms.tencentcloudapi.test/",
            },
        },
    };

    private (TencentCloudSmsSender Sender, FakeHttpHandler Http) Create(Func<RecordedRequest, (HttpStatusCode, string)> respond)
    {
        var http = new FakeHttpHandler(respond);
        return (new TencentCloudSmsSender(http.Factory(), Microsoft.Extensions.Options.Options.Create(Options()), _time, _log), http);
    }

    private static string Refused(string code) =>
        $$$"""{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"Code":"{{{code}}}","Message":"refused","IsoCode":"CN"}],"RequestId":"r-1"}}""";

    [Fact]
    public void Tc3_signature_reproduces_tencents_documented_example()
    {
        // The worked example of Tencent Cloud API 3.0 "Signature v3" (CVM DescribeInstances, SecretKey ...EXAMPLE):
        // every intermediate value below is printed in that document.
        const string payload = """{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}""";
        const long timestamp = 1551113065;

        var canonical = Tc3Signer.CanonicalRequest("cvm.tencentcloudapi.com", payload);
        var stringToSign = Tc3Signer.StringToSign(timestamp, "cvm", canonical);

        Assert.Equal("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", Tc3Signer.Sha256Hex(payload));
        Assert.Equal(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
            canonical);
        Assert.Equal(
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
            stringToSign);
        Assert.Equal(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, " +
            "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
            Tc3Signer.Authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", "cvm.tencentcloudapi.com", payload, timestamp));
    }

    [Fact]
    public async Task SendSms_posts_a_signed_request_with_the_phone_the_code_and_its_minutes()
    {
        var (sender, http) = Create(_ => (HttpStatusCode.OK, Ok));

        await sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None);

        var request = Assert.Single(http.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://sms.tencentcloudapi.test/", request.Uri.ToString());
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal(("SendSms", "2021-01-11", "ap-guangzhou", _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (request.Header("X-TC-Action"), request.Header("X-TC-Version"), request.Header("X-TC-Region"), request.Header("X-TC-Timestamp")));
        Assert.Equal(IndependentAuthorization(request, "AKIDtestsecretid", "test-secret-key"), request.Header("Authorization"));

        Assert.Contains("\"SignName\":\"到家服务\"", request.Body, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal<string[]>([Phone], root.GetProperty("PhoneNumberSet").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal<string[]>(["123456", "5"], root.GetProperty("TemplateParamSet").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(("1400006666", "到家服务", "449739"),
            (root.GetProperty("SmsSdkAppId").GetString(), root.GetProperty("SignName").GetString(), root.GetProperty("TemplateId").GetString()));

        var logged = string.Join("\n", _log.Entries.Select(e => e.Message));
        Assert.Contains("138****8000", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("13800138000", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("test-secret-key", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("123456", logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LimitExceeded.PhoneNumberThirtySecondLimit", 30)]
    [InlineData("LimitExceeded.PhoneNumberOneHourLimit", 3600)]
    [InlineData("LimitExceeded.PhoneNumberDailyLimit", 1800)]
    [InlineData("LimitExceeded.PhoneNumberSameContentDailyLimit", 1800)]
    public async Task Per_phone_rate_limits_become_too_many_requests_until_the_limit_resets(string code, int retryAfterSeconds)
    {
        var (sender, _) = Create(_ => (HttpStatusCode.OK, Refused(code)));

        var failure = await Assert.ThrowsAsync<TooManyRequestsException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), failure.RetryAfter);
    }

    [Fact]
    public async Task A_number_the_gateway_calls_incorrect_is_a_validation_failure_on_phone()
    {
        var (sender, _) = Create(_ => (HttpStatusCode.OK, Refused("InvalidParameterValue.IncorrectPhoneNumber")));

        var failure = await Assert.ThrowsAsync<ValidationFailedException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal(new FieldError("phone", "invalid_phone"), Assert.Single(failure.Errors), FieldErrorComparer.Instance);
    }

    [Theory]
    [InlineData("FailedOperation.InsufficientBalanceInSmsPackage")]
    [InlineData("LimitExceeded.AppDailyLimit")]
    [InlineData("FailedOperation.TemplateIncorrectOrUnapproved")]
    public async Task Other_refusals_of_one_number_are_a_gateway_failure_carrying_the_code(string code)
    {
        var (sender, _) = Create(_ => (HttpStatusCode.OK, Refused(code)));

        var failure = await Assert.ThrowsAsync<SmsGatewayException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal((503, "service_unavailable", code, "r-1"), (failure.Status, failure.Code, failure.ProviderCode, failure.RequestId));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_top_level_api_error_is_a_gateway_failure()
    {
        var (sender, _) = Create(_ => (HttpStatusCode.OK,
            """{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"r-2"}}"""));

        var failure = await Assert.ThrowsAsync<SmsGatewayException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal(("AuthFailure.SignatureFailure", "r-2"), (failure.ProviderCode, failure.RequestId));
    }

    [Fact]
    public async Task A_top_level_rate_limit_error_is_mapped_like_a_per_number_one()
    {
        var (sender, _) = Create(_ => (HttpStatusCode.OK,
            """{"Response":{"Error":{"Code":"LimitExceeded.PhoneNumberThirtySecondLimit","Message":"too often"},"RequestId":"r-3"}}"""));

        var failure = await Assert.ThrowsAsync<TooManyRequestsException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(30), failure.RetryAfter);
    }

    [Fact]
    public async Task An_unreadable_or_failed_http_answer_is_a_gateway_failure()
    {
        var (sender, _) = Create(_ => (HttpStatusCode.BadGateway, "<html>bad gateway</html>"));

        var failure = await Assert.ThrowsAsync<SmsGatewayException>(() => sender.SendLoginCodeAsync(Phone, "123456", CancellationToken.None));

        Assert.Equal("HTTP_502", failure.ProviderCode);
    }

    /// <summary>TC3-HMAC-SHA256 recomputed step by step from what was sent, without the app's signer.</summary>
    private static string IndependentAuthorization(RecordedRequest request, string secretId, string secretKey)
    {
        static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
        static byte[] Mac(byte[] key, string text)
        {
            using var hmac = new HMACSHA256(key);
            return hmac.ComputeHash(Encoding.UTF8.GetBytes(text));
        }

        var timestamp = long.Parse(request.Header("X-TC-Timestamp"), System.Globalization.CultureInfo.InvariantCulture);
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var canonical = string.Join('\n', "POST", "/", "", $"content-type:{request.ContentType}", $"host:{request.Uri.Host}", "",
            "content-type;host", Hex(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body))));
        var scope = $"{date}/sms/tc3_request";
        var toSign = string.Join('\n', "TC3-HMAC-SHA256", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), scope,
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Mac(Mac(Mac(Encoding.UTF8.GetBytes("TC3" + secretKey), date), "sms"), "tc3_request");
        return $"TC3-HMAC-SHA256 Credential={secretId}/{scope}, SignedHeaders=content-type;host, Signature={Hex(Mac(key, toSign))}";
    }

    private sealed class FieldErrorComparer : IEqualityComparer<FieldError>
    {
        public static readonly FieldErrorComparer Instance = new();

        public bool Equals(FieldError? x, FieldError? y) => x?.Field == y?.Field && x?.Code == y?.Code;

        public int GetHashCode(FieldError obj) => HashCode.Combine(obj.Field, obj.Code);
    }
}
