using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HomeService.Functions.Payments.WeChatPay;

public static class WeChatPayServiceCollectionExtensions
{
    /// <summary>
    /// Registers WeChat Pay as the <see cref="IPaymentProvider"/>. Options are validated at start-up:
    /// a half-configured app fails to start with every missing setting listed.
    /// </summary>
    public static IServiceCollection AddWeChatPay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WeChatPayOptions>()
            .Bind(configuration.GetSection(WeChatPayOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WeChatPayOptions>, WeChatPayOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => WeChatPayMerchant.FromOptions(sp.GetRequiredService<IOptions<WeChatPayOptions>>().Value));
        services.AddHttpClient<WeChatPayClient>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddTransient<WeChatPayProvider>();
        services.AddTransient<IPaymentProvider>(sp => sp.GetRequiredService<WeChatPayProvider>());
        return services;
    }

    private sealed class WeChatPayOptionsValidator : IValidateOptions<WeChatPayOptions>
    {
        public ValidateOptionsResult Validate(string? name, WeChatPayOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
