using System.Globalization;
using HomeService.Domain.Catalog;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Catalog;

public static class CatalogProblems
{
    /// <summary>A 404 ProblemDetails naming the missing resource, as a typed result of the endpoint.</summary>
    public static ProblemHttpResult NotFound(HttpContext http, string kind, string id) =>
        TypedResults.Problem(ProblemMapping.Create(Messages.FromRequest(http), StatusCodes.Status404NotFound, "not_found", CatalogStore.Resource(kind), id));
}

/// <summary>
/// Query-string numbers are read here rather than bound by the framework, so that "pageSize=abc" answers a
/// 400 naming pageSize instead of a generic bad request.
/// </summary>
public static class CatalogQueryParameters
{
    public static long? Long(Validator v, HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        v.Add(name, "invalid_number");
        return null;
    }

    public static int? Int(Validator v, HttpRequest request, string name)
    {
        var value = Long(v, request, name);
        if (value is null)
        {
            return null;
        }

        if (value is < int.MinValue or > int.MaxValue)
        {
            v.Add(name, "invalid_number");
            return null;
        }

        return (int)value.Value;
    }

    public static int PageSize(HttpRequest request)
    {
        var v = new Validator();
        var size = Int(v, request, "pageSize");
        if (size is not null)
        {
            v.Range("pageSize", size.Value, CatalogRules.MinPageSize, CatalogRules.MaxPageSize);
        }

        v.ThrowIfInvalid();
        return size ?? CatalogRules.DefaultPageSize;
    }
}
