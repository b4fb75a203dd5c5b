using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace HomeService.Functions.Hosting;

public enum TriggerKind { Http, Timer, Queue, Orchestration, Activity }

/// <summary>One <c>[Function]</c> method of the app, as its trigger attribute declares it.</summary>
public sealed record FunctionDescriptor(
    string Name,
    TriggerKind Trigger,
    MethodInfo Method,
    ParameterInfo TriggerParameter,
    string? Route = null,
    IReadOnlyList<string>? HttpMethods = null,
    string? Schedule = null,
    bool RunOnStartup = false,
    string? QueueName = null);

/// <summary>
/// The app's functions, read from their attributes — the same attributes the Worker.Sdk reads into
/// functions.metadata at build. The local host runs exactly these; a test compares them with the metadata.
/// </summary>
public static class FunctionCatalog
{
    public const string PoisonSuffix = "-poison";

    public static IReadOnlyList<FunctionDescriptor> All { get; } = Discover();

    /// <summary>Every queue a function reads, with its poison queue.</summary>
    public static IReadOnlyCollection<string> QueueNames { get; } = All
        .Where(f => f.QueueName is not null)
        .SelectMany(f => new[] { f.QueueName!, f.QueueName + PoisonSuffix })
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    public static FunctionDescriptor Get(string name) =>
        All.SingleOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"No function named {name}.");

    /// <summary>
    /// The functions the Worker SDK's build-time metadata lists (<see cref="GeneratedFunctionMetadataProvider"/>: what the
    /// Functions host indexes), each resolved to its method by its entry point. Reading the metadata instead of scanning
    /// every type of the assembly saves the local host ~50 ms of its start (loading every type); a test checks that the two
    /// find the same functions.
    /// </summary>
    private static IReadOnlyList<FunctionDescriptor> Discover()
    {
        var assembly = typeof(FunctionCatalog).Assembly;
        var metadata = new GeneratedFunctionMetadataProvider().GetFunctionMetadataAsync(AppContext.BaseDirectory).GetAwaiter().GetResult();
        return metadata
            .Select(function =>
            {
                var name = function.Name ?? throw new InvalidOperationException($"A function of {function.EntryPoint} has no name.");
                var entryPoint = function.EntryPoint ?? throw new InvalidOperationException($"Function {name} has no entry point.");
                var dot = entryPoint.LastIndexOf('.');
                var method = assembly.GetType(entryPoint[..dot], throwOnError: true)!.GetMethod(entryPoint[(dot + 1)..],
                        BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                    ?? throw new InvalidOperationException($"Function {name}: no public method {entryPoint}.");
                return Describe(name, method);
            })
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        var triggers = method.GetParameters()
            .Select(p => (Parameter: p, Trigger: p.GetCustomAttributes().OfType<TriggerBindingAttribute>().SingleOrDefault()))
            .Where(x => x.Trigger is not null)
            .ToArray();
        if (triggers.Length != 1)
        {
            throw new InvalidOperationException($"Function {name} ({method.DeclaringType?.Name}.{method.Name}) needs exactly one trigger parameter.");
        }

        var (parameter, trigger) = triggers[0];
        return trigger switch
        {
            HttpTriggerAttribute http => new FunctionDescriptor(name, TriggerKind.Http, method, parameter,
                Route: http.Route, HttpMethods: http.Methods?.Select(m => m.ToUpperInvariant()).ToArray() ?? []),
            TimerTriggerAttribute timer => new FunctionDescriptor(name, TriggerKind.Timer, method, parameter,
                Schedule: timer.Schedule, RunOnStartup: timer.RunOnStartup),
            QueueTriggerAttribute queue => new FunctionDescriptor(name, TriggerKind.Queue, method, parameter, QueueName: queue.QueueName),
            OrchestrationTriggerAttribute => new FunctionDescriptor(name, TriggerKind.Orchestration, method, parameter),
            ActivityTriggerAttribute => new FunctionDescriptor(name, TriggerKind.Activity, method, parameter),
            _ => throw new InvalidOperationException($"Function {name} has a {trigger!.GetType().Name}, which the local host cannot run."),
        };
    }
}
