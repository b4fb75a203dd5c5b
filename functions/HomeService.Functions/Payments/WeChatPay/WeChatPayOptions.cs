using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>Configuration section <c>WeChatPay</c>. Secrets (keys) come from Key Vault / user secrets, never from files in the repo.</summary>
public sealed class WeChatPayOptions
{
    public const string SectionName = "WeChatPay";
    public const string DefaultBaseUrl = "https://api.mch.weixin.qq.com/";

    public string MchId { get; set; } = "";
    /// <summary>The mini-program's AppID.</summary>
    public string AppId { get; set; } = "";
    /// <summary>Serial number of the merchant API certificate.</summary>
    public string MerchantSerialNo { get; set; } = "";
    /// <summary>Merchant API private key (apiclient_key.pem), PKCS#8 or PKCS#1 PEM.</summary>
    public string MerchantPrivateKeyPem { get; set; } = "";
    /// <summary>The 32-character APIv3 key used to decrypt callback resources.</summary>
    public string ApiV3Key { get; set; } = "";
    /// <summary>
    /// WeChat Pay public keys by serial (Wechatpay-Serial: a platform certificate serial or a
    /// <c>PUB_KEY_ID_…</c>); each value a PUBLIC KEY or CERTIFICATE PEM. Several allow key rotation.
    /// </summary>
    public Dictionary<string, string> PlatformPublicKeys { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Callback URL: https, no query string.</summary>
    public string NotifyUrl { get; set; } = "";
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Every missing or invalid setting, so a half-configured app refuses to start with one clear message.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(MchId)) errors.Add($"{SectionName}:MchId is required.");
        if (string.IsNullOrWhiteSpace(AppId)) errors.Add($"{SectionName}:AppId is required.");
        if (string.IsNullOrWhiteSpace(MerchantSerialNo)) errors.Add($"{SectionName}:MerchantSerialNo is required.");

        if (string.IsNullOrWhiteSpace(MerchantPrivateKeyPem)) errors.Add($"{SectionName}:MerchantPrivateKeyPem is required.");
        else if (TryLoadPrivateKey(MerchantPrivateKeyPem) is not { } key) errors.Add($"{SectionName}:MerchantPrivateKeyPem is not an RSA private key PEM.");
        else
        {
            if (key.KeySize < 2048) errors.Add($"{SectionName}:MerchantPrivateKeyPem must be at least 2048 bits.");
            key.Dispose();
        }

        if (string.IsNullOrEmpty(ApiV3Key)) errors.Add($"{SectionName}:ApiV3Key is required.");
        else if (Encoding.UTF8.GetByteCount(ApiV3Key) != 32) errors.Add($"{SectionName}:ApiV3Key must be exactly 32 bytes.");

        if (PlatformPublicKeys.Count == 0) errors.Add($"{SectionName}:PlatformPublicKeys needs at least one serial → public key PEM.");
        foreach (var (serial, pem) in PlatformPublicKeys)
        {
            if (string.IsNullOrWhiteSpace(serial)) errors.Add($"{SectionName}:PlatformPublicKeys has an empty serial.");
            if (TryLoadPublicKey(pem) is { } publicKey) publicKey.Dispose();
            else errors.Add($"{SectionName}:PlatformPublicKeys:{serial} is not an RSA public key or certificate PEM.");
        }

        if (!Uri.TryCreate(NotifyUrl, UriKind.Absolute, out var notify) || notify.Scheme != Uri.UriSchemeHttps || notify.Query.Length > 0)
            errors.Add($"{SectionName}:NotifyUrl must be an absolute https URL without a query string.");
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
            errors.Add($"{SectionName}:BaseUrl must be an absolute http(s) URL.");
        return errors;
    }

    internal static RSA? TryLoadPrivateKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            rsa.ExportParameters(includePrivateParameters: true);
            return rsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }

    internal static RSA? TryLoadPublicKey(string pem)
    {
        try
        {
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                return certificate.GetRSAPublicKey();
            }
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(pem);
                return rsa;
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>Validated, parsed merchant configuration: keys loaded once and shared (RSA instances are thread-safe for sign/verify).</summary>
public sealed class WeChatPayMerchant : IDisposable
{
    private WeChatPayMerchant(WeChatPayOptions options)
    {
        MchId = options.MchId;
        AppId = options.AppId;
        MerchantSerialNo = options.MerchantSerialNo;
        MerchantKey = WeChatPayOptions.TryLoadPrivateKey(options.MerchantPrivateKeyPem)!;
        PlatformKeys = options.PlatformPublicKeys.ToDictionary(kv => kv.Key, kv => WeChatPayOptions.TryLoadPublicKey(kv.Value)!, StringComparer.Ordinal);
        ApiV3Key = Encoding.UTF8.GetBytes(options.ApiV3Key);
        NotifyUrl = options.NotifyUrl;
        BaseUri = new Uri(options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/");
    }

    public string MchId { get; }
    public string AppId { get; }
    public string MerchantSerialNo { get; }
    public RSA MerchantKey { get; }
    public IReadOnlyDictionary<string, RSA> PlatformKeys { get; }
    public byte[] ApiV3Key { get; }
    public string NotifyUrl { get; }
    public Uri BaseUri { get; }

    /// <exception cref="InvalidOperationException">Listing every invalid setting.</exception>
    public static WeChatPayMerchant FromOptions(WeChatPayOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException("WeChat Pay is not fully configured: " + string.Join(" ", errors));
        return new WeChatPayMerchant(options);
    }

    public void Dispose()
    {
        MerchantKey.Dispose();
        foreach (var key in PlatformKeys.Values) key.Dispose();
    }
}
