namespace HomeService.Functions.Infrastructure.Http;

/// <summary>A failure the API answers with a ProblemDetails; mapped in one place (<see cref="ProblemMapping"/>).</summary>
public abstract class AppException(int status, string code, params object?[] args) : Exception(code)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public object?[] Args { get; } = args;

    /// <summary>Machine-readable extras the problem carries besides code and title (e.g. the current state).</summary>
    public Dictionary<string, object?> Details { get; } = new(StringComparer.Ordinal);
}

/// <summary>One field at fault: a message code and its arguments, localized when answered.</summary>
public sealed record FieldError(string Field, string Code, params object?[] Args);

public sealed class ValidationFailedException(IReadOnlyList<FieldError> errors)
    : AppException(StatusCodes.Status400BadRequest, "validation_failed")
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string code, params object?[] args) => new([new FieldError(field, code, args)]);
}

public sealed class NotFoundException(string resource, string? id = null)
    : AppException(StatusCodes.Status404NotFound, "not_found", resource, id);

public sealed class ConflictException(string code, params object?[] args)
    : AppException(StatusCodes.Status409Conflict, code, args);

/// <summary>The If-Match ETag no longer matches: someone changed the resource since the client read it.</summary>
public sealed class PreconditionFailedException()
    : AppException(StatusCodes.Status412PreconditionFailed, "precondition_failed");

public sealed class ForbiddenException(string code = "forbidden")
    : AppException(StatusCodes.Status403Forbidden, code);

public sealed class UnauthorizedException(string code = "unauthorized")
    : AppException(StatusCodes.Status401Unauthorized, code);

public sealed class TooManyRequestsException(TimeSpan retryAfter)
    : AppException(StatusCodes.Status429TooManyRequests, "too_many_requests", (int)Math.Ceiling(retryAfter.TotalSeconds))
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A feature that this deployment has not configured (e.g. no SMS provider).</summary>
public sealed class FeatureUnavailableException(string code)
    : AppException(StatusCodes.Status503ServiceUnavailable, code);
