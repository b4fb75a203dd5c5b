using HomeService.Functions.Payments.WeChatPay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Tests.Payments;

public sealed class WeChatPayOptionsTests
{
    private readonly WeChatPayTestKit _kit = new();

    [Fact]
    public void Complete_options_are_valid() => Assert.Empty(_kit.Options().Validate());

    [Fact]
    public void Empty_options_list_every_missing_setting()
    {
        var errors = new WeChatPayOptions { BaseUrl = "" }.Validate();

        foreach (var setting in new[] { "MchId", "AppId", "MerchantSerialNo", "MerchantPrivateKeyPem", "ApiV3Key", "PlatformPublicKeys", "NotifyUrl", "BaseUrl" })
            Assert.Contains(errors, e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_keys_and_urls_are_each_reported()
    {
        var options = _kit.Options();
        options.MerchantPrivateKeyPem = _kit.MerchantKey.ExportSubjectPublicKeyInfoPem(); // a public key is not a private key
        options.ApiV3Key = "too-short";
        options.PlatformPublicKeys["BROKEN"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
        options.NotifyUrl = "http://api.homeservice.test/notify?x=1";

        var errors = options.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("PlatformPublicKeys:BROKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Merchant_refuses_to_load_half_configured_options()
    {
        var options = _kit.Options();
        options.AppId = "";

        var ex = Assert.Throws<InvalidOperationException>(() => WeChatPayMerchant.FromOptions(options));
        Assert.Contains("AppId", ex.Message);
    }

    [Fact]
    public void App_refuses_to_start_when_wechat_pay_is_half_configured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChatPay:MchId"] = WeChatPayTestKit.MchId,
        }).Build();
        using var provider = new ServiceCollection().AddWeChatPay(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("ApiV3Key", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_bind_from_configuration_with_keys_by_serial()
    {
        var o = _kit.Options();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChatPay:MchId"] = o.MchId,
            ["WeChatPay:AppId"] = o.AppId,
            ["WeChatPay:MerchantSerialNo"] = o.MerchantSerialNo,
            ["WeChatPay:MerchantPrivateKeyPem"] = o.MerchantPrivateKeyPem,
            ["WeChatPay:ApiV3Key"] = o.ApiV3Key,
            [$"WeChatPay:PlatformPublicKeys:{WeChatPayTestKit.PlatformSerial}"] = o.PlatformPublicKeys[WeChatPayTestKit.PlatformSerial],
            ["WeChatPay:NotifyUrl"] = o.NotifyUrl,
        }).Build();
        using var provider = new ServiceCollection().AddWeChatPay(configuration).BuildServiceProvider();

        var paymentProvider = provider.GetRequiredService<HomeService.Functions.Payments.IPaymentProvider>();

        Assert.Equal("wechatpay", paymentProvider.Name);
        Assert.Equal(WeChatPayOptions.DefaultBaseUrl, provider.GetRequiredService<WeChatPayMerchant>().BaseUri.ToString());
        Assert.True(provider.GetRequiredService<WeChatPayMerchant>().PlatformKeys.ContainsKey(WeChatPayTestKit.PlatformSerial));
    }
}
