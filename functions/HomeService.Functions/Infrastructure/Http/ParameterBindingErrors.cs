using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// Names the query, route or header parameter a minimal-API binding failure is about. The framework throws one
/// <see cref="BadHttpRequestException"/> with a prose message; the endpoint's own parameter metadata says which of its
/// non-body parameters has a value that does not parse (or is missing), so the 400 can name it like any field.
/// </summary>
public static class ParameterBindingErrors
{
    private static readonly Type[] WholeNumbers = [typeof(int), typeof(long), typeof(short), typeof(byte), typeof(uint), typeof(ulong)];

    /// <summary>Every parameter of the request's endpoint whose value from the query, route or a header cannot bind.</summary>
    public static IReadOnlyList<FieldError> Find(HttpContext context)
    {
        // The exception handler has cleared the endpoint and route values; its feature keeps them.
        var failed = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
        var endpoint = failed?.Endpoint ?? context.GetEndpoint();
        var routeValues = failed?.RouteValues ?? context.Request.RouteValues;
        if (endpoint is null)
        {
            return [];
        }

        var errors = new List<FieldError>();
        foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            var info = parameter.ParameterInfo;
            if (!(parameter.HasTryParse || IsText(info.ParameterType)) || info.GetCustomAttribute<FromBodyAttribute>() is not null)
            {
                continue;
            }

            var (name, values) = ValuesOf(context, routeValues, info, parameter.Name);
            var type = Nullable.GetUnderlyingType(info.ParameterType) ?? info.ParameterType;
            var element = type.IsArray ? type.GetElementType()! : type;
            element = Nullable.GetUnderlyingType(element) ?? element;
            if (values.Count == 0)
            {
                var optional = parameter.IsOptional || Nullable.GetUnderlyingType(info.ParameterType) is not null ||
                               info.HasDefaultValue || type.IsArray || IsNullableReference(info);
                if (!optional)
                {
                    errors.Add(new FieldError(name, "required"));
                }

                continue;
            }

            if (element != typeof(string) && values.Any(v => !string.IsNullOrEmpty(v) && !Parses(element, v!)))
            {
                errors.Add(new FieldError(name, WholeNumbers.Contains(element) ? "invalid_number" : "invalid"));
            }
        }

        return errors;
    }

    private static (string Name, Microsoft.Extensions.Primitives.StringValues Values) ValuesOf(HttpContext context, RouteValueDictionary routeValues, ParameterInfo info, string name)
    {
        if (info.GetCustomAttribute<FromHeaderAttribute>() is { } header)
        {
            var headerName = header.Name ?? name;
            return (headerName, context.Request.Headers[headerName]);
        }

        if (info.GetCustomAttribute<FromQueryAttribute>() is { } query)
        {
            var queryName = query.Name ?? name;
            return (queryName, context.Request.Query[queryName]);
        }

        var routeName = info.GetCustomAttribute<FromRouteAttribute>()?.Name ?? name;
        if (routeValues.TryGetValue(routeName, out var routeValue))
        {
            return (routeName, Convert.ToString(routeValue, CultureInfo.InvariantCulture));
        }

        return (name, context.Request.Query[name]);
    }

    /// <summary>
    /// Text binds from the query, route or a header as it comes. The run-time factory marks it as having a TryParse; the
    /// build-time generator does not (it parses nothing), so both are asked for here.
    /// </summary>
    private static bool IsText(Type type) =>
        type == typeof(string) || type == typeof(string[]) || type == typeof(Microsoft.Extensions.Primitives.StringValues);

    private static bool IsNullableReference(ParameterInfo info) =>
        !info.ParameterType.IsValueType && new NullabilityInfoContext().Create(info).ReadState == NullabilityState.Nullable;

    /// <summary>Whether the framework's own binding would accept the text: enums by name, the rest through IParsable.</summary>
    private static bool Parses(Type type, string value)
    {
        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }

        var tryParse = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static,
            [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]);
        if (tryParse is not null)
        {
            return (bool)tryParse.Invoke(null, [value, CultureInfo.InvariantCulture, null])!;
        }

        var plain = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]);
        return plain is null || (bool)plain.Invoke(null, [value, null])!;
    }
}
