using HomeService.Functions.Auth;

namespace HomeService.Functions.Customers;

public static class CustomerEndpoints
{
    /// <summary>/api/customer/**: only the customer role, and only the caller's own data.</summary>
    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder routes)
    {
        var customer = routes.MapGroup("/api/customer").RequireAuthorization(Roles.Customer);
        customer.MapAddressEndpoints();
        customer.MapFavoriteAndHistoryEndpoints();
        routes.MapProfileEndpoints();
        return routes;
    }
}
