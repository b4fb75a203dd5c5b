using System.Text.Json;

namespace HomeService.Functions.Hosting;

public enum TriggerKind { Http, Timer, Queue }

/// <summary>What a non-HTTP function receives: the trigger's binding value and the host's metadata.</summary>
public sealed record FunctionInvocation(
    string FunctionName,
    string InvocationId,
    JsonElement Data,
    JsonElement Metadata,
    IServiceProvider Services,
    List<string> Logs)
{
    /// <summary>A queue message's text: the host sends it as a JSON string, or as the parsed JSON when the text is JSON.</summary>
    public string MessageText => Data.ValueKind == JsonValueKind.String ? Data.GetString()! : Data.GetRawText();

    public int DequeueCount =>
        Metadata.ValueKind == JsonValueKind.Object && Metadata.TryGetProperty("DequeueCount", out var count) && count.TryGetInt32(out var n) ? n : 1;
}

/// <summary>A non-HTTP function's body. Throwing fails the invocation (the host retries queue messages, then poisons them).</summary>
public delegate Task<object?> FunctionHandler(FunctionInvocation invocation, CancellationToken ct);

/// <summary>One Azure Function, declared once: the registry emits its function.json and routes the host's calls to it.</summary>
public sealed record FunctionDefinition(
    string Name,
    TriggerKind Trigger,
    string BindingName,
    string? Route = null,
    string? Schedule = null,
    string? QueueName = null,
    FunctionHandler? Handler = null)
{
    public static FunctionDefinition Http(string name, string route) => new(name, TriggerKind.Http, "req", Route: route);

    /// <param name="schedule">NCRONTAB with seconds: "{second} {minute} {hour} {day} {month} {day-of-week}", UTC.</param>
    public static FunctionDefinition Timer(string name, string schedule, FunctionHandler handler) =>
        new(name, TriggerKind.Timer, "timer", Schedule: schedule, Handler: handler);

    public static FunctionDefinition Queue(string name, string queueName, FunctionHandler handler) =>
        new(name, TriggerKind.Queue, "message", QueueName: queueName, Handler: handler);
}
