using System.Text.Json;
using System.Text.Json.Nodes;

namespace HomeService.Functions.Hosting;

/// <summary>Writes one folder with a function.json per registered function, as the Functions host reads them.</summary>
public static class FunctionJsonEmitter
{
    public const string StorageConnection = "AzureWebJobsStorage";

    public static JsonObject FunctionJson(FunctionDefinition function)
    {
        JsonArray bindings = function.Trigger switch
        {
            TriggerKind.Http =>
            [
                new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["authLevel"] = "anonymous",
                    ["direction"] = "in",
                    ["name"] = function.BindingName,
                    ["methods"] = new JsonArray("get", "post", "put", "patch", "delete", "head", "options"),
                    ["route"] = function.Route,
                },
                new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" },
            ],
            TriggerKind.Timer =>
            [
                new JsonObject
                {
                    ["type"] = "timerTrigger",
                    ["direction"] = "in",
                    ["name"] = function.BindingName,
                    ["schedule"] = function.Schedule,
                    ["runOnStartup"] = false,
                    ["useMonitor"] = true,
                },
            ],
            TriggerKind.Queue =>
            [
                new JsonObject
                {
                    ["type"] = "queueTrigger",
                    ["direction"] = "in",
                    ["name"] = function.BindingName,
                    ["queueName"] = function.QueueName,
                    ["connection"] = StorageConnection,
                },
            ],
            _ => throw new InvalidOperationException($"Unknown trigger {function.Trigger}"),
        };
        return new JsonObject { ["bindings"] = bindings };
    }

    /// <summary>Writes DIR/{Name}/function.json for every function; returns the folders written.</summary>
    public static IReadOnlyList<string> Emit(string outputDirectory, IEnumerable<FunctionDefinition> functions)
    {
        var written = new List<string>();
        foreach (var function in functions)
        {
            var folder = Path.Combine(outputDirectory, function.Name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "function.json"),
                FunctionJson(function).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            written.Add(folder);
        }

        return written;
    }
}
