using HomeService.Domain.Orders;
using HomeService.Functions.Infrastructure.Http;

namespace HomeService.Functions.Orders;

/// <summary>The query of every order list (customer, worker, admin): an optional status and a page size, validated once.</summary>
public static class OrderListQuery
{
    public const int DefaultPageSize = Paging.DefaultPageSize;
    public const int MaxPageSize = Paging.MaxPageSize;

    public static (OrderStatus? Status, int PageSize) Parse(string? status, string? pageSize)
    {
        var v = new Validator();
        OrderStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsed) && parsed != OrderStatus.None && !int.TryParse(status, out _))
            {
                filter = parsed;
            }
            else
            {
                v.Add("status", "invalid");
            }
        }

        var size = DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, out size) || size is < 1 or > MaxPageSize))
        {
            v.Add("pageSize", "out_of_range", 1, MaxPageSize);
        }

        v.ThrowIfInvalid();
        return (filter, size);
    }
}
