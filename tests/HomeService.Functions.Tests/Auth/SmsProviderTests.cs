using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Auth;
using HomeService.Functions.Tests.Payments;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Auth;

/// <summary>The app with Auth:Sms:Provider=TencentCloud, the gateway played by a fake handler.</summary>
public sealed class TencentCloudSmsFactory : ApiFactory
{
    public Func<RecordedRequest, (HttpStatusCode, string)> Respond { get; set; } = _ => (HttpStatusCode.OK, "{}");

    public FakeHttpHandler Gateway { get; }

    public TencentCloudSmsFactory() => Gateway = new FakeHttpHandler(r => Respond(r));

    /// <summary>A complete Tencent Cloud SMS configuration (test values).</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Auth:Sms:Provider"] = "TencentCloud",
        ["Auth:Sms:TencentCloud:SecretId"] = "AKIDtestsecretid",
        ["Auth:Sms:TencentCloud:SecretKey"] = "test-secret-key",
        ["Auth:Sms:TencentCloud:SdkAppId"] = "1400006666",
        ["Auth:Sms:TencentCloud:SignName"] = "到家服务",
        ["Auth:Sms:TencentCloud:TemplateId"] = "449739",
    };

    protected override IReadOnlyDictionary<string, string?> ExtraSettings =>
        new Dictionary<string, string?>(Settings) { ["Auth:Sms:TencentCloud:BaseUrl"] = "https://sms.tencentcloudapi.test/" };

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddHttpClient(TencentCloudSmsSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Gateway);
}

public sealed class SmsProviderTests(TencentCloudSmsFactory factory) : IClassFixture<TencentCloudSmsFactory>
{
    private static string NewPhone() => "139" + Random.Shared.Next(10_000_000, 99_999_999);

    private static string Status(string code) =>
        $$$"""{"Response":{"SendStatusSet":[{"SerialNo":"s","PhoneNumber":"+86","Fee":1,"Code":"{{{code}}}","Message":"m","IsoCode":"CN"}],"RequestId":"r"}}""";

    [Fact]
    public async Task Phone_login_codes_go_out_through_tencent_cloud_and_gateway_refusals_are_problem_details()
    {
        var client = factory.CreateClient();

        factory.Respond = _ => (HttpStatusCode.OK, Status("Ok"));
        var phone = NewPhone();
        await (await client.PostAsJsonAsync("/api/auth/sms/send", new { phone })).EnsureStatusAsync(HttpStatusCode.Accepted);
        var sent = Assert.Single(factory.Gateway.Requests);
        Assert.Equal("SendSms", sent.Header("X-TC-Action"));
        Assert.Equal($"+86{phone}", System.Text.Json.JsonDocument.Parse(sent.Body).RootElement.GetProperty("PhoneNumberSet")[0].GetString());

        factory.Respond = _ => (HttpStatusCode.OK, Status("LimitExceeded.PhoneNumberOneHourLimit"));
        var limited = await client.PostAsJsonAsync("/api/auth/sms/send", new { phone = NewPhone() });
        var problem = await (await limited.EnsureStatusAsync(HttpStatusCode.TooManyRequests)).ReadJsonAsync();
        Assert.Equal("too_many_requests", problem.GetProperty("code").GetString());
        Assert.Equal("3600", limited.Headers.RetryAfter?.ToString());

        factory.Respond = _ => (HttpStatusCode.OK, """{"Response":{"Error":{"Code":"AuthFailure.SecretIdNotFound","Message":"x"},"RequestId":"r"}}""");
        var broken = await client.PostAsJsonAsync("/api/auth/sms/send", new { phone = NewPhone() });
        Assert.Equal("service_unavailable", (await (await broken.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable)).ReadJsonAsync()).GetProperty("code").GetString());

        // Outside the sandbox no endpoint reads codes back.
        await (await client.GetAsync($"/api/dev/sms/{phone}")).EnsureStatusAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>How the SMS provider is chosen from configuration, and what a deployment refuses (no emulators needed).</summary>
public sealed class SmsProviderStartupTests
{
    /// <summary>Always with the Production basics (even in Development), so only SMS is missing.</summary>
    private static string StartupFailure(string environment, params (string Key, string? Value)[] settings) =>
        PaymentsAppFactory.StartupFailure(environment, PaymentsAppFactory.Production(settings));

    [Fact]
    public void Sandbox_sms_is_refused_outside_development()
    {
        var failure = StartupFailure("Production", ("Auth:Sms:Provider", "Sandbox"));

        Assert.Contains("Auth:Sms:Provider=Sandbox is a local sandbox and is refused outside Development", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_configured_tencent_cloud_sms_refuses_to_start_listing_every_missing_setting()
    {
        var failure = StartupFailure("Development", ("Auth:Sms:Provider", "TencentCloud"), ("Auth:Sms:TencentCloud:SecretId", "AKIDtestsecretid"));

        Assert.Contains("Auth:Sms:Provider=TencentCloud is not fully configured", failure, StringComparison.Ordinal);
        foreach (var setting in new[] { "SecretKey", "SdkAppId", "SignName", "TemplateId" })
            Assert.Contains($"Auth:Sms:TencentCloud:{setting}", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("Auth:Sms:TencentCloud:SecretId", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_sms_provider_is_refused()
    {
        Assert.Contains("Unknown Auth:Sms:Provider 'Aliyun'", StartupFailure("Development", ("Auth:Sms:Provider", "Aliyun")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fully_configured_tencent_cloud_sms_is_the_registered_sender()
    {
        await using var factory = new PaymentsAppFactory(settings: TencentCloudSmsFactory.Settings);

        Assert.IsType<TencentCloudSmsSender>(factory.Services.GetRequiredService<ISmsSender>());
    }
}
