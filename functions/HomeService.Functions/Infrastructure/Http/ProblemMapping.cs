using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// The one place where failures become RFC 9457 ProblemDetails: our own <see cref="AppException"/>s, bad
/// request bodies, Cosmos concurrency answers, and bodiless error statuses (unknown route, 405, 415).
/// </summary>
public sealed class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var language = Messages.FromRequest(context);
        var problem = exception switch
        {
            ValidationFailedException v => Validation(language, v.Errors),
            AppException app => Create(language, app.Status, app.Code, app.Args),
            BadHttpRequestException bad => FromBadRequest(context, language, bad),
            InstantWithoutOffsetException json => Validation(language, [new FieldError(FieldFromPath(json.Path), "offset_required")]),
            JsonException json => Validation(language, [new FieldError(FieldFromPath(json.Path), "invalid_json")], "malformed_json"),
            CosmosException { StatusCode: HttpStatusCode.PreconditionFailed } => Create(language, 412, "precondition_failed"),
            CosmosException { StatusCode: HttpStatusCode.Conflict } => Create(language, 409, "conflict"),
            CosmosException { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout } =>
                Create(language, 503, "service_unavailable"),
            // A dependency (Cosmos, Storage) that cannot be reached at all: the service is unavailable, not broken by the request.
            HttpRequestException when context.RequestAborted.IsCancellationRequested is false => Create(language, 503, "service_unavailable"),
            Payments.PaymentProviderException { IsRetryable: true } => Create(language, 503, "payment_provider_unavailable"),
            Payments.PaymentProviderException => Create(language, 502, "payment_provider_refused"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem is null)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                context.Response.StatusCode = 499;
                return true;
            }

            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = Create(language, 500, "internal_error");
        }

        if (exception is AppException { Details.Count: > 0 } withDetails)
        {
            foreach (var (key, value) in withDetails.Details)
            {
                problem.Extensions[key] = value;
            }
        }

        if (exception is HttpRequestException unreachable)
        {
            logger.LogError(unreachable, "A dependency could not be reached on {Method} {Path}", context.Request.Method, context.Request.Path);
        }

        if (exception is Payments.PaymentProviderException providerFailure)
        {
            logger.LogWarning(providerFailure, "Payment provider {Provider} failed with {Code} (HTTP {ProviderStatus})",
                providerFailure.Provider, providerFailure.Code, providerFailure.HttpStatus);
        }

        if (exception is TooManyRequestsException tooMany)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Fills title, type and code for problems written without an exception (e.g. status code pages).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var language = Messages.FromRequest(context.HttpContext);
        if (problem.Status == 400 && context.Exception is null && !problem.Extensions.ContainsKey("code") &&
            ParameterBindingErrors.Find(context.HttpContext) is { Count: > 0 } parameters)
        {
            // The generated request delegates answer an optional query, route or header value that does not parse with a
            // bare 400 (only a required one throws): the same validation problem as the thrown case.
            var validation = Validation(language, parameters);
            problem.Title = validation.Title;
            problem.Type = validation.Type;
            foreach (var (key, value) in validation.Extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        if (!problem.Extensions.ContainsKey("code"))
        {
            var code = problem.Status switch
            {
                404 => "route_not_found",
                405 => "method_not_allowed",
                415 => "unsupported_media_type",
                401 => "unauthorized",
                403 => "forbidden",
                _ => null,
            };
            if (code is not null)
            {
                problem.Title = Messages.Get(language, code);
                problem.Type = TypeFor(code);
                problem.Extensions["code"] = code;
            }
        }

        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        context.HttpContext.Response.Headers.ContentLanguage = Messages.LanguageTag(language);
    }

    public static ProblemDetails Create(Messages.Language language, int status, string code, params object?[] args) => new()
    {
        Status = status,
        Type = TypeFor(code),
        Title = Messages.Get(language, code, args),
        Extensions = { ["code"] = code },
    };

    private static ProblemDetails Validation(Messages.Language language, IReadOnlyList<FieldError> errors, string code = "validation_failed")
    {
        var problem = Create(language, 400, code);
        problem.Extensions["errors"] = errors
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => Messages.Get(language, e.Code, e.Args)).ToArray(), StringComparer.Ordinal);
        problem.Extensions["fieldCodes"] = errors
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Code).ToArray(), StringComparer.Ordinal);
        return problem;
    }

    private static ProblemDetails FromBadRequest(HttpContext context, Messages.Language language, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Create(language, 415, "unsupported_media_type");
        }

        if (bad.InnerException is InstantWithoutOffsetException noOffset)
        {
            return Validation(language, [new FieldError(FieldFromPath(noOffset.Path), "offset_required")]);
        }

        var json = bad.InnerException as JsonException;
        if (json is null && ParameterBindingErrors.Find(context) is { Count: > 0 } parameters)
        {
            // A query, route or header value that does not bind: named like any field, not as a bad body.
            return Validation(language, parameters);
        }

        var field = json is not null ? FieldFromPath(json.Path) : "body";
        return Validation(language, [new FieldError(field, "invalid_json")], "malformed_json");
    }

    /// <summary>"$.address.latitude" → "address.latitude"; the whole body → "body".</summary>
    private static string FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string TypeFor(string code) => $"https://homeservice.example/problems/{code.Replace('_', '-')}";
}
