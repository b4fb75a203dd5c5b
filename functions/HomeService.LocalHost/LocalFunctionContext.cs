using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using HomeService.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace HomeService.LocalHost;

/// <summary>The <see cref="FunctionContext"/> a function gets on the local host: what the worker gives it, from the catalog.</summary>
internal sealed class LocalFunctionContext(
    FunctionDescriptor function, IServiceProvider services, IReadOnlyDictionary<string, object?> bindingData, int retryCount, int maxRetryCount,
    CancellationToken cancellationToken) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => function.Name;
    public override TraceContext TraceContext { get; } = new LocalTraceContext(Activity.Current);
    public override BindingContext BindingContext { get; } = new LocalBindingContext(bindingData);
    public override RetryContext RetryContext { get; } = new LocalRetryContext(retryCount, maxRetryCount);
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition { get; } = new LocalFunctionDefinition(function);
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features { get; } = new LocalInvocationFeatures();
    public override CancellationToken CancellationToken => cancellationToken;

    private sealed class LocalTraceContext(Activity? activity) : TraceContext
    {
        public override string TraceParent { get; } = activity?.Id ?? "";
        public override string TraceState { get; } = activity?.TraceStateString ?? "";
    }

    private sealed class LocalBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }

    private sealed class LocalRetryContext(int retryCount, int maxRetryCount) : RetryContext
    {
        public override int RetryCount => retryCount;
        public override int MaxRetryCount => maxRetryCount;
    }

    private sealed class LocalBinding(string name, string type, BindingDirection direction) : BindingMetadata
    {
        public override string Name => name;
        public override string Type => type;
        public override BindingDirection Direction => direction;
    }

    private sealed class LocalFunctionDefinition : FunctionDefinition
    {
        public LocalFunctionDefinition(FunctionDescriptor function)
        {
            var method = function.Method;
            Name = function.Name;
            Id = function.Name;
            EntryPoint = $"{method.DeclaringType!.FullName}.{method.Name}";
            PathToAssembly = method.DeclaringType.Assembly.Location;
            Parameters = [.. method.GetParameters().Select(p => new FunctionParameter(p.Name!, p.ParameterType))];
            var trigger = function.TriggerParameter.Name!;
            InputBindings = ImmutableDictionary<string, BindingMetadata>.Empty.Add(trigger, new LocalBinding(trigger, TriggerType(function.Trigger), BindingDirection.In));
            OutputBindings = function.Trigger == TriggerKind.Http
                ? ImmutableDictionary<string, BindingMetadata>.Empty.Add("$return", new LocalBinding("$return", "http", BindingDirection.Out))
                : ImmutableDictionary<string, BindingMetadata>.Empty;
        }

        public override ImmutableArray<FunctionParameter> Parameters { get; }
        public override string PathToAssembly { get; }
        public override string EntryPoint { get; }
        public override string Id { get; }
        public override string Name { get; }
        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; }
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; }
    }

    /// <summary>The binding type names functions.metadata uses for each trigger.</summary>
    public static string TriggerType(TriggerKind trigger) => trigger switch
    {
        TriggerKind.Http => "httpTrigger",
        TriggerKind.Timer => "timerTrigger",
        TriggerKind.Queue => "queueTrigger",
        TriggerKind.Orchestration => "orchestrationTrigger",
        TriggerKind.Activity => "activityTrigger",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null),
    };

    private sealed class LocalInvocationFeatures : IInvocationFeatures
    {
        private readonly ConcurrentDictionary<Type, object> _features = new();

        public void Set<T>(T instance) => _features[typeof(T)] = instance!;

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var value) ? (T)value : default;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
