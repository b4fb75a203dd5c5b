using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>
/// Typed HTTP client for the WeChat Pay APIv3 endpoints we use. Every request is signed with the
/// merchant key; every 2xx answer must carry a valid WeChat Pay signature, else it is treated as forged.
/// </summary>
public sealed class WeChatPayClient(HttpClient http, WeChatPayMerchant merchant, TimeProvider timeProvider)
{
    public const string JsapiPrepayPath = "v3/pay/transactions/jsapi";
    public const string RefundPath = "v3/refund/domestic/refunds";
    public const string TransferBillsPath = "v3/fund-app/mch-transfer/transfer-bills";
    private const string ProviderName = "wechatpay";

    private readonly WeChatPaySignatureVerifier _verifier = new(merchant.PlatformKeys, timeProvider);

    public Task<JsapiPrepayResponse> JsapiPrepayAsync(JsapiPrepayRequest request, CancellationToken cancellationToken) =>
        PostAsync<JsapiPrepayRequest, JsapiPrepayResponse>(JsapiPrepayPath, request, cancellationToken);

    public Task<RefundResponse> CreateRefundAsync(RefundCreateRequest request, CancellationToken cancellationToken) =>
        PostAsync<RefundCreateRequest, RefundResponse>(RefundPath, request, cancellationToken);

    /// <summary>商家转账 (merchant transfer to a user's WeChat balance): creates the bill, or answers the existing one for the same out_bill_no.</summary>
    public Task<TransferBillResponse> CreateTransferBillAsync(TransferBillRequest request, CancellationToken cancellationToken) =>
        PostAsync<TransferBillRequest, TransferBillResponse>(TransferBillsPath, request, cancellationToken);

    /// <summary>The bill with this out_bill_no; an unknown number is a <see cref="PaymentProviderException"/> with HTTP 404 (NOT_FOUND).</summary>
    public Task<TransferBillResponse> GetTransferBillAsync(string outBillNo, CancellationToken cancellationToken) =>
        SendAsync<TransferBillResponse>(HttpMethod.Get, $"{TransferBillsPath}/out-bill-no/{Uri.EscapeDataString(outBillNo)}", null, cancellationToken);

    private Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken cancellationToken) =>
        SendAsync<TResponse>(HttpMethod.Post, path, JsonSerializer.Serialize(body, WeChatPayJson.Options), cancellationToken);

    /// <summary>Signs and sends one request; GET requests sign an empty body.</summary>
    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        var uri = new Uri(merchant.BaseUri, path);
        var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var nonce = WeChatPaySigner.NewNonce();
        var signature = WeChatPaySigner.Sign(merchant.MerchantKey,
            WeChatPaySigner.RequestMessage(method.Method, uri.PathAndQuery, timestamp, nonce, json ?? ""));

        using var request = new HttpRequestMessage(method, uri)
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(WeChatPaySigner.AuthorizationScheme,
            WeChatPaySigner.AuthorizationParameter(merchant.MchId, nonce, signature, timestamp, merchant.MerchantSerialNo));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("HomeService", "1.0"));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new PaymentProviderException(ProviderName, "TRANSPORT", ex.Message, null, ex);
        }

        using (response)
        {
            var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var error = TryDeserialize<WeChatPayError>(responseBody);
                throw new PaymentProviderException(ProviderName, error?.Code ?? $"HTTP_{status}", error?.Message ?? response.ReasonPhrase ?? "", status);
            }

            var check = _verifier.Verify(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null, responseBody);
            if (!check.IsValid)
                throw new PaymentProviderException(ProviderName, "INVALID_RESPONSE_SIGNATURE", $"{check.Reason}: {check.Detail}", status);

            return TryDeserialize<TResponse>(responseBody)
                ?? throw new PaymentProviderException(ProviderName, "INVALID_RESPONSE", "Response body could not be read", status);
        }
    }

    private static T? TryDeserialize<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, WeChatPayJson.Options);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
