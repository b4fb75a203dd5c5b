using System.Net;
using HomeService.Functions.Money;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.WeChatPay;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Payments;

/// <summary>How the payment provider is chosen from configuration, and what a deployment refuses.</summary>
public sealed class PaymentsStartupTests
{
    private static Dictionary<string, string?> Production(params (string Key, string? Value)[] settings) => PaymentsAppFactory.Production(settings);

    private static string StartupFailure(PaymentsAppFactory factory)
    {
        using (factory)
        {
            var ex = Assert.ThrowsAny<Exception>(() => factory.Server);
            return ex.ToString();
        }
    }

    [Fact]
    public void Sandbox_provider_is_refused_outside_development()
    {
        var failure = StartupFailure(new PaymentsAppFactory("Production", Production(("Payments:Provider", "Sandbox"))));

        Assert.Contains("Payments:Provider=Sandbox", failure, StringComparison.Ordinal);
        Assert.Contains("refused outside Development", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_configured_wechat_pay_refuses_to_start_listing_every_missing_setting()
    {
        var failure = StartupFailure(new PaymentsAppFactory("Production", Production(
            ("Payments:Provider", "WeChatPay"), ("Payments:WeChatPay:MchId", WeChatPayTestKit.MchId))));

        foreach (var setting in new[] { "AppId", "MerchantSerialNo", "MerchantPrivateKeyPem", "ApiV3Key", "PlatformPublicKeys", "NotifyUrl" })
            Assert.Contains($"Payments:WeChatPay:{setting}", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("Payments:WeChatPay:MchId", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_provider_outside_development_means_wechat_pay_and_must_be_configured()
    {
        var failure = StartupFailure(new PaymentsAppFactory("Production", Production(("Payments:Provider", null))));

        Assert.Contains("Payments:Provider=WeChatPay is not fully configured", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_provider_is_refused()
    {
        Assert.Contains("Unknown Payments:Provider 'Alipay'", StartupFailure(new PaymentsAppFactory(settings: new Dictionary<string, string?> { ["Payments:Provider"] = "Alipay" })),
            StringComparison.Ordinal);
    }

    private static (string Key, string? Value)[] WeChatPaySettings()
    {
        var o = new WeChatPayTestKit().Options();
        return
        [
            ("Payments:Provider", "WeChatPay"),
            ("Payments:WeChatPay:MchId", o.MchId),
            ("Payments:WeChatPay:AppId", o.AppId),
            ("Payments:WeChatPay:MerchantSerialNo", o.MerchantSerialNo),
            ("Payments:WeChatPay:MerchantPrivateKeyPem", o.MerchantPrivateKeyPem),
            ("Payments:WeChatPay:ApiV3Key", o.ApiV3Key),
            ($"Payments:WeChatPay:PlatformPublicKeys:{WeChatPayTestKit.PlatformSerial}", o.PlatformPublicKeys[WeChatPayTestKit.PlatformSerial]),
            ("Payments:WeChatPay:NotifyUrl", o.NotifyUrl),
        ];
    }

    [Fact]
    public async Task WeChat_pay_payouts_start_with_a_configured_merchant_and_refuse_what_they_cannot_pay()
    {
        await using var factory = new PaymentsAppFactory("Production", Production([.. WeChatPaySettings(), ("Money:PayoutProvider", "WeChatPay")]));

        var provider = Assert.IsType<WeChatPayTransferPayoutProvider>(factory.Services.GetRequiredService<IPayoutProvider>());

        Assert.Equal("destination_unavailable", provider.Refusal(PayoutDestination.BankCard, 10_000)!.Code);
        Assert.Null(provider.Refusal(PayoutDestination.WeChatBalance, 10_000));
        Assert.True(factory.Services.GetRequiredService<PayoutRunner>().ProviderConfigured);
    }

    [Fact]
    public void WeChat_pay_payouts_refuse_to_start_with_a_half_configured_merchant_naming_the_settings()
    {
        var failure = StartupFailure(new PaymentsAppFactory("Production", Production(
            ("Payments:Provider", "WeChatPay"), ("Payments:WeChatPay:MchId", WeChatPayTestKit.MchId), ("Money:PayoutProvider", "WeChatPay"))));

        Assert.Contains("InvalidOperationException", failure, StringComparison.Ordinal);
        Assert.Contains("Money:PayoutProvider=WeChatPay is not fully configured", failure, StringComparison.Ordinal);
        Assert.Contains("Payments:WeChatPay:AppId", failure, StringComparison.Ordinal);
        Assert.Contains("Payments:WeChatPay:MerchantPrivateKeyPem", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void WeChat_pay_payouts_refuse_the_payment_sandbox_and_a_scene_they_cannot_report()
    {
        var sandbox = StartupFailure(new PaymentsAppFactory(settings: new Dictionary<string, string?> { ["Money:PayoutProvider"] = "WeChatPay" }));
        var scene = StartupFailure(new PaymentsAppFactory("Production", Production(
            [.. WeChatPaySettings(), ("Money:PayoutProvider", "WeChatPay"), ("Money:WeChatTransfer:SceneId", "1000")])));

        Assert.Contains("needs Payments:Provider=WeChatPay", sandbox, StringComparison.Ordinal);
        Assert.Contains("Money:WeChatTransfer:SceneId", scene, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_wechat_pay_starts_in_production_without_the_development_endpoints()
    {
        var o = new WeChatPayTestKit().Options();
        var settings = Production(
            ("Payments:Provider", "WeChatPay"),
            ("Payments:WeChatPay:MchId", o.MchId),
            ("Payments:WeChatPay:AppId", o.AppId),
            ("Payments:WeChatPay:MerchantSerialNo", o.MerchantSerialNo),
            ("Payments:WeChatPay:MerchantPrivateKeyPem", o.MerchantPrivateKeyPem),
            ("Payments:WeChatPay:ApiV3Key", o.ApiV3Key),
            ($"Payments:WeChatPay:PlatformPublicKeys:{WeChatPayTestKit.PlatformSerial}", o.PlatformPublicKeys[WeChatPayTestKit.PlatformSerial]),
            ("Payments:WeChatPay:NotifyUrl", o.NotifyUrl));
        await using var factory = new PaymentsAppFactory("Production", settings);
        var client = factory.CreateClient();

        var dev = await client.PostAsync("/api/dev/payments/ORDER_0001/succeed", null);
        var forged = await client.PostAsync(PaymentEndpoints.NotifyPath, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, dev.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("wechatpay", factory.Services.GetRequiredService<IPaymentProvider>().Name);
    }

    [Fact]
    public async Task Without_payment_events_registered_the_app_starts_and_verified_callbacks_answer_503()
    {
        await using var factory = new PaymentsAppFactory(withEvents: false);
        var orderId = "ORD" + Guid.NewGuid().ToString("N")[..20];
        await factory.StartPaymentAsync(orderId, 100);

        var (status, answer) = await factory.NotifyAsync(factory.Sandbox.PaymentSucceeded(orderId));

        Assert.Equal((503, "FAIL"), (status, answer!.Code));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_notify_and_sandbox_endpoints()
    {
        await using var factory = new PaymentsAppFactory();

        var document = await factory.CreateClient().GetStringAsync("/api/openapi/v1.json");

        Assert.Contains(PaymentEndpoints.NotifyPath, document, StringComparison.Ordinal);
        Assert.Contains("/api/dev/payments/{orderId}/succeed", document, StringComparison.Ordinal);
        Assert.Contains("/api/dev/refunds/{refundId}/fail", document, StringComparison.Ordinal);
    }
}
