using System.Security.Cryptography;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

public sealed class WeChatPaySignerTests
{
    private readonly WeChatPayTestKit _kit = new();

    [Fact]
    public void Request_message_has_five_lines_each_ending_in_newline()
    {
        var message = WeChatPaySigner.RequestMessage("GET", "/v3/certificates?x=1", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", "");

        Assert.Equal("GET\n/v3/certificates?x=1\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n", message);
    }

    [Fact]
    public void Authorization_header_has_the_exact_wechatpay_format()
    {
        var header = WeChatPaySigner.Authorization("1900009191", "593BEC0C930BF1AFEB40B4A08C8FB242", "c2ln", 1554208460, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");

        Assert.Equal(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"c2ln\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\"",
            header);
    }

    [Fact]
    public void Request_signature_is_rsa_sha256_pkcs1_verifiable_with_the_merchant_public_key()
    {
        var message = WeChatPaySigner.RequestMessage("POST", "/v3/pay/transactions/jsapi", 1554208460, "N", "{\"a\":1}");

        var signature = WeChatPaySigner.Sign(_kit.MerchantKey, message);

        Assert.True(_kit.MerchantKey.VerifyData(System.Text.Encoding.UTF8.GetBytes(message), Convert.FromBase64String(signature),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False(WeChatPaySigner.Verify(_kit.MerchantKey, message.Replace("1554208460", "1554208461"), signature));
    }

    [Fact]
    public void Jsapi_pay_sign_covers_appid_timestamp_nonce_and_package_and_verifies_with_the_public_key()
    {
        var pay = WeChatPaySigner.JsapiPayParameters("wx8888888888888888", "wx201410272009395522657a690389285100", _kit.MerchantKey, 1414561699, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");

        Assert.Equal(("1414561699", "prepay_id=wx201410272009395522657a690389285100", "RSA"), (pay.TimeStamp, pay.Package, pay.SignType));
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(_kit.MerchantKey.ExportSubjectPublicKeyInfoPem());
        Assert.True(WeChatPaySigner.Verify(publicKey,
            "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n", pay.PaySign));
        Assert.Equal(["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"], pay.ToDictionary().Keys);
    }

    [Fact]
    public void Nonce_is_32_hex_characters_and_differs_each_time()
    {
        var a = WeChatPaySigner.NewNonce();

        Assert.Matches("^[0-9A-F]{32}$", a);
        Assert.NotEqual(a, WeChatPaySigner.NewNonce());
    }

    [Fact]
    public void Malformed_base64_signature_does_not_verify() =>
        Assert.False(WeChatPaySigner.Verify(_kit.PlatformKey, "x\n", "not base64!!"));
}
