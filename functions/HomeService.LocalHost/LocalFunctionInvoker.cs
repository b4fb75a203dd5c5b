using System.Diagnostics;
using System.Reflection;
using Azure.Storage.Queues.Models;
using HomeService.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace HomeService.LocalHost;

/// <summary>One run of a function: what it returned, or what it threw (a failed invocation).</summary>
public sealed record FunctionRun(string FunctionName, string InvocationId, bool Succeeded, object? ReturnValue, Exception? Error)
{
    /// <summary>The function's own account of the run (timer and queue functions return one line).</summary>
    public IReadOnlyList<string> Logs => ReturnValue is string line ? [line] : [];
}

/// <summary>
/// Calls a function method as the isolated worker does: a new instance per invocation from the invocation's services
/// (<see cref="ActivatorUtilities"/>, like the worker's default activator), its trigger value, <see cref="FunctionContext"/>
/// and cancellation token bound by parameter type.
/// </summary>
public sealed class LocalFunctionInvoker(IServiceScopeFactory scopes, ILogger<LocalFunctionInvoker> logger)
{
    private static readonly Type[] TriggerTypes = [typeof(HttpRequest), typeof(TimerInfo), typeof(QueueMessage), typeof(string), typeof(BinaryData)];

    public Task<FunctionRun> InvokeTimerAsync(string name, TimerInfo timer, CancellationToken ct) =>
        InvokeAsync(Expect(name, TriggerKind.Timer), timer, new Dictionary<string, object?>(), null, 0, 0, ct);

    /// <param name="maxDequeueCount">host.json's maxDequeueCount (the retry context's maximum).</param>
    public Task<FunctionRun> InvokeQueueAsync(string name, QueueMessage message, int maxDequeueCount, CancellationToken ct) =>
        InvokeAsync(Expect(name, TriggerKind.Queue), message, new Dictionary<string, object?>
        {
            ["QueueTrigger"] = message.Body.ToString(),
            ["DequeueCount"] = message.DequeueCount,
            ["Id"] = message.MessageId,
            ["PopReceipt"] = message.PopReceipt,
            ["InsertionTime"] = message.InsertedOn,
            ["ExpirationTime"] = message.ExpiresOn,
            ["NextVisibleTime"] = message.NextVisibleOn,
        }, null, (int)Math.Max(0, message.DequeueCount - 1), maxDequeueCount, ct);

    /// <summary>An activity function with its input, on the activity's own scope (the DurableTask worker makes one per activity).</summary>
    public Task<FunctionRun> InvokeActivityAsync(FunctionDescriptor function, object? input, IServiceProvider services, string instanceId) =>
        InvokeAsync(function, input, new Dictionary<string, object?> { ["instanceId"] = instanceId }, services, 0, 0, CancellationToken.None);

    /// <summary>An HTTP function on the request's own services, as the worker runs it on the function's instance services.</summary>
    public Task<FunctionRun> InvokeHttpAsync(FunctionDescriptor function, HttpContext http) =>
        InvokeAsync(function, http.Request, new Dictionary<string, object?>(), http.RequestServices, 0, 0, http.RequestAborted);

    /// <summary>Refuses a function whose parameters the local host could not bind (so none is skipped silently).</summary>
    public static void Validate(IEnumerable<FunctionDescriptor> functions)
    {
        foreach (var function in functions)
        {
            if (function.Trigger == TriggerKind.Orchestration)
            {
                // Run by the DurableTask worker as the class it wraps (ITaskOrchestrator), not through this invoker.
                if (!typeof(ITaskOrchestrator).IsAssignableFrom(function.Method.DeclaringType) || function.TriggerParameter.ParameterType != typeof(TaskOrchestrationContext))
                {
                    throw new InvalidOperationException(
                        $"Orchestrator function {function.Name} must be a static wrapper declared in its ITaskOrchestrator class, taking a TaskOrchestrationContext.");
                }

                continue;
            }

            foreach (var parameter in function.Method.GetParameters())
            {
                var bindable = parameter.Position == function.TriggerParameter.Position
                    ? function.Trigger == TriggerKind.Activity || TriggerTypes.Contains(parameter.ParameterType)
                    : parameter.ParameterType == typeof(FunctionContext) || parameter.ParameterType == typeof(CancellationToken) ||
                      (parameter.ParameterType == typeof(DurableTaskClient) && parameter.GetCustomAttribute<DurableClientAttribute>() is not null);
                if (!bindable)
                {
                    throw new InvalidOperationException(
                        $"Function {function.Name}: the local host cannot bind parameter {parameter.Name} of type {parameter.ParameterType.Name}.");
                }
            }

            var returns = function.Method.ReturnType;
            if (returns != typeof(Task) && !(returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>)))
            {
                throw new InvalidOperationException($"Function {function.Name} must return Task or Task<T>.");
            }
        }
    }

    private static FunctionDescriptor Expect(string name, TriggerKind trigger)
    {
        var function = FunctionCatalog.Get(name);
        return function.Trigger == trigger ? function : throw new InvalidOperationException($"{name} is a {function.Trigger} function, not a {trigger} one.");
    }

    private async Task<FunctionRun> InvokeAsync(
        FunctionDescriptor function, object? trigger, IReadOnlyDictionary<string, object?> bindingData, IServiceProvider? requestServices,
        int retryCount, int maxRetryCount, CancellationToken ct)
    {
        AsyncServiceScope? scope = requestServices is null ? scopes.CreateAsyncScope() : null;
        try
        {
            var services = requestServices ?? scope!.Value.ServiceProvider;
            var context = new LocalFunctionContext(function, services, bindingData, retryCount, maxRetryCount, ct);
            using var _ = logger.BeginScope(new Dictionary<string, object> { ["InvocationId"] = context.InvocationId, ["FunctionName"] = function.Name });
            var started = Stopwatch.GetTimestamp();
            try
            {
                var method = function.Method;
                var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
                var arguments = method.GetParameters().Select(p => Bind(p, function, trigger, context, services, ct)).ToArray();
                var task = (Task)method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, arguments, null)!;
                await task;
                var result = method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
                logger.LogDebug("Function {FunctionName} invocation {InvocationId} succeeded in {ElapsedMs} ms: {Result}",
                    function.Name, context.InvocationId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, result);
                return new FunctionRun(function.Name, context.InvocationId, true, result, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Function {FunctionName} invocation {InvocationId} failed", function.Name, context.InvocationId);
                return new FunctionRun(function.Name, context.InvocationId, false, null, e);
            }
        }
        finally
        {
            if (scope is { } owned)
            {
                await owned.DisposeAsync();
            }
        }
    }

    private static object? Bind(ParameterInfo parameter, FunctionDescriptor function, object? trigger, FunctionContext context, IServiceProvider services,
        CancellationToken ct)
    {
        if (parameter.Position == function.TriggerParameter.Position)
        {
            return (trigger, parameter.ParameterType) switch
            {
                (QueueMessage message, var t) when t == typeof(string) => message.Body.ToString(),
                (QueueMessage message, var t) when t == typeof(BinaryData) => message.Body,
                _ => trigger,
            };
        }

        if (parameter.ParameterType == typeof(DurableTaskClient))
        {
            // What [DurableClient] binds: a client of the app's task hub (none when the local host runs without a Durable engine).
            return services.GetService<DurableTaskClient>();
        }

        return parameter.ParameterType == typeof(FunctionContext) ? context : ct;
    }
}
