using HomeService.Domain.Common;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>Collects every field at fault in a request, then throws one 400 naming them all.</summary>
public sealed class Validator
{
    private readonly List<FieldError> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public Validator Add(string field, string code, params object?[] args)
    {
        _errors.Add(new FieldError(field, code, args));
        return this;
    }

    public Validator Check(bool ok, string field, string code, params object?[] args) => ok ? this : Add(field, code, args);

    public Validator Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "required");
        }

        return value.Length > maxLength ? Add(field, "too_long", maxLength) : this;
    }

    public Validator Optional(string field, string? value, int maxLength)
        => value is not null && value.Length > maxLength ? Add(field, "too_long", maxLength) : this;

    public Validator Range(string field, long value, long min, long max)
        => value < min || value > max ? Add(field, "out_of_range", min, max) : this;

    public Validator Range(string field, double value, double min, double max)
        => double.IsNaN(value) || value < min || value > max ? Add(field, "out_of_range", min, max) : this;

    public Validator Location(string prefix, double latitude, double longitude)
    {
        Range($"{prefix}latitude", latitude, -90, 90);
        return Range($"{prefix}longitude", longitude, -180, 180);
    }

    public Validator Phone(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "required");
        }

        return PhoneNumber.TryNormalize(value, out _) ? this : Add(field, "invalid_phone");
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationFailedException(_errors.ToArray());
        }
    }
}
