using HomeService.Functions.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Security;

/// <summary>Every endpoint states who may call it: audience route groups require their role; anonymous ones are listed here on purpose.</summary>
[Collection(ApiCollection.Name)]
public sealed class EndpointAuthorizationTests(ApiFactory factory)
{
    /// <summary>The public surface without a token, each for a reason.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "GET /api/health",                                  // probes
        "GET /api/catalog/cities",                          // browsing needs no account
        "GET /api/catalog/cities/{cityId}/categories",
        "GET /api/catalog/cities/{cityId}/items",
        "GET /api/catalog/cities/{cityId}/packages",
        "GET /api/catalog/items/{id}",
        "GET /api/workers/{id}",                            // public worker card (approved workers only)
        "GET /api/workers/{id}/reviews",                    // a worker's reviews are public (anonymous ones name nobody)
        "POST /api/auth/sms/send",                          // login itself
        "POST /api/auth/sms/login",
        "POST /api/auth/wechat/login",
        "POST /api/payments/wechatpay/notify",              // WeChat Pay calls it; the signature is the authentication
        "GET /api/dev/sms/{phone}",                         // Development sandbox only
        "POST /api/dev/refunds/{refundId}/succeed",
        "POST /api/dev/refunds/{refundId}/fail",
        "GET /api/openapi/{documentName:regex(^v1$)}.json",
    ];

    /// <summary>Under an audience prefix but open to any signed-in user: how one gets that role in the first place.</summary>
    private static readonly HashSet<string> SignedInAnyRole =
    [
        "POST /api/worker/registration",
        "POST /api/merchant/registration",
    ];

    private static readonly Dictionary<string, string> RolePerPrefix = new()
    {
        ["/api/customer/"] = "customer",
        ["/api/worker/"] = "worker",
        ["/api/merchant/"] = "merchant",
        ["/api/admin/"] = "admin",
    };

    [Fact]
    public void Audience_routes_require_their_role_and_only_listed_routes_are_anonymous()
    {
        _ = factory.CreateClient();
        var endpoints = factory.Services.GetRequiredService<HomeService.Functions.Hosting.ApiPipeline>().Endpoints
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            // The interactive API reference's static files (Development only).
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/docs", StringComparison.Ordinal))
            .ToArray();
        Assert.True(endpoints.Length > 100, $"only {endpoints.Length} endpoints found");

        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!.TrimEnd('/');
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToArray();
            var requiresAuth = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any() && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            foreach (var method in methods)
            {
                var key = $"{method} {route}";
                var prefix = RolePerPrefix.Keys.FirstOrDefault(p => (route + "/").StartsWith(p, StringComparison.Ordinal));
                if (prefix is not null && !policies.Contains(RolePerPrefix[prefix]) && !(SignedInAnyRole.Contains(key) && requiresAuth))
                {
                    problems.Add($"{key} lacks the {RolePerPrefix[prefix]} role");
                }

                if (!requiresAuth && !Anonymous.Contains(key))
                {
                    problems.Add($"{key} is anonymous but not listed");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
