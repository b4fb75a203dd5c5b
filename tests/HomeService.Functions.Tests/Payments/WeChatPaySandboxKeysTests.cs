using System.Security.Cryptography;
using HomeService.Functions.Payments.Sandbox;
using HomeService.Functions.Payments.WeChatPay;

namespace HomeService.Functions.Tests.Payments;

/// <summary>The payment sandbox's keys: made once (a file under run.sh, else once per process), never per start.</summary>
public sealed class WeChatPaySandboxKeysTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hs-sandbox-keys-" + Guid.NewGuid().ToString("N"));

    private string KeyFile => Path.Combine(_folder, "nested", "wechatpay-sandbox-keys.json");

    [Fact]
    public void A_key_file_is_made_owner_only_on_first_start_and_read_back_unchanged_afterwards()
    {
        var first = WeChatPaySandboxKeys.LoadOrCreate(KeyFile);
        var second = WeChatPaySandboxKeys.LoadOrCreate(KeyFile);

        Assert.Equal(first, second);
        Assert.Equal(32, first.ApiV3Key.Length);
        Assert.NotEqual(first.MerchantPrivateKeyPem, first.PlatformPrivateKeyPem);
        using var merchant = RSA.Create();
        merchant.ImportFromPem(first.MerchantPrivateKeyPem);
        Assert.Equal(2048, merchant.KeySize);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
    }

    [Fact]
    public void A_sandbox_on_the_file_signs_as_the_merchant_key_the_app_is_configured_with()
    {
        var keys = WeChatPaySandboxKeys.LoadOrCreate(KeyFile);
        using var sandbox = new WeChatPaySandbox(TimeProvider.System, keys);
        var options = new WeChatPayOptions();
        sandbox.Configure(options);

        using var configured = RSA.Create();
        configured.ImportFromPem(options.MerchantPrivateKeyPem);
        Assert.Equal(sandbox.MerchantKey.ExportSubjectPublicKeyInfo(), configured.ExportSubjectPublicKeyInfo());
        Assert.Equal(keys.ApiV3Key, options.ApiV3Key);
        using var platform = RSA.Create();
        platform.ImportFromPem(options.PlatformPublicKeys[WeChatPaySandbox.PlatformSerial]);
        using var platformPrivate = RSA.Create();
        platformPrivate.ImportFromPem(keys.PlatformPrivateKeyPem);
        Assert.Equal(platformPrivate.ExportSubjectPublicKeyInfo(), platform.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Without_a_file_every_sandbox_of_the_process_shares_one_set_of_keys()
    {
        Assert.Same(WeChatPaySandboxKeys.LoadOrCreate(null), WeChatPaySandboxKeys.LoadOrCreate(""));
    }

    [Fact]
    public void A_file_that_does_not_hold_the_keys_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, """{"MerchantPrivateKeyPem":"x"}""");

        var ex = Assert.Throws<InvalidOperationException>(() => WeChatPaySandboxKeys.LoadOrCreate(KeyFile));
        Assert.Contains(KeyFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("delete it", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")]
    [InlineData("public")]
    public void A_file_whose_json_is_whole_but_whose_key_is_not_is_refused_with_what_to_do(string merchantPem)
    {
        var good = WeChatPaySandboxKeys.LoadOrCreate(null);
        if (merchantPem == "public")
        {
            using var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportFromPem(good.MerchantPrivateKeyPem);
            merchantPem = rsa.ExportSubjectPublicKeyInfoPem();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, System.Text.Json.JsonSerializer.Serialize(good with { MerchantPrivateKeyPem = merchantPem }));

        var ex = Assert.Throws<InvalidOperationException>(() => WeChatPaySandboxKeys.LoadOrCreate(KeyFile));
        Assert.Contains(KeyFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("MerchantPrivateKeyPem", ex.Message, StringComparison.Ordinal);
        Assert.Contains("delete it", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
