using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Catalog;

public static class CatalogProblems
{
    /// <summary>A 404 ProblemDetails naming the missing resource, as a typed result of the endpoint.</summary>
    public static ProblemHttpResult NotFound(HttpContext http, string kind, string id) =>
        TypedResults.Problem(ProblemMapping.Create(Messages.FromRequest(http), StatusCodes.Status404NotFound, "not_found", CatalogStore.Resource(kind), id));
}
