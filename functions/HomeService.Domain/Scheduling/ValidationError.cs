namespace HomeService.Domain.Scheduling;

/// <summary>A field-level validation failure; the app maps a list of these to a 400 ProblemDetails.</summary>
/// <param name="Field">Path of the offending field, e.g. <c>days[1].work[0]</c>.</param>
/// <param name="Code">Stable machine-readable code, e.g. <c>overlap</c>.</param>
public sealed record ValidationError(string Field, string Code);
