using System.Text.Json.Nodes;
using HomeService.Functions.Hosting;

namespace HomeService.Functions.Tests.Hosting;

public sealed class FunctionRegistryTests
{
    [Fact]
    public void Emitted_function_folders_are_exactly_the_registry()
    {
        var dir = Directory.CreateTempSubdirectory("hs-functions-").FullName;
        try
        {
            FunctionJsonEmitter.Emit(dir, FunctionRegistry.All);

            var folders = Directory.GetDirectories(dir).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(FunctionRegistry.All.Select(f => f.Name).Order().ToArray(), folders);
            foreach (var function in FunctionRegistry.All)
            {
                var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, function.Name, "function.json")))!;
                var trigger = json["bindings"]![0]!;
                switch (function.Trigger)
                {
                    case TriggerKind.Http:
                        Assert.Equal("httpTrigger", (string?)trigger["type"]);
                        Assert.Equal("anonymous", (string?)trigger["authLevel"]);
                        Assert.Equal("http", (string?)json["bindings"]![1]!["type"]);
                        break;
                    case TriggerKind.Timer:
                        Assert.Equal("timerTrigger", (string?)trigger["type"]);
                        Assert.Equal(function.Schedule, (string?)trigger["schedule"]);
                        Assert.Equal("timer", (string?)trigger["name"]);
                        break;
                    case TriggerKind.Queue:
                        Assert.Equal("queueTrigger", (string?)trigger["type"]);
                        Assert.Equal(function.QueueName, (string?)trigger["queueName"]);
                        Assert.Equal("AzureWebJobsStorage", (string?)trigger["connection"]);
                        Assert.Equal("message", (string?)trigger["name"]);
                        break;
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Only_one_http_function_exists_and_it_proxies_the_api_prefix_alone()
    {
        var http = Assert.Single(FunctionRegistry.All, f => f.Trigger == TriggerKind.Http);
        Assert.Equal("api/{*path}", http.Route);
        Assert.Null(http.Handler);
    }

    [Fact]
    public void Every_timer_schedule_is_a_valid_six_field_ncrontab()
    {
        foreach (var timer in FunctionRegistry.All.Where(f => f.Trigger == TriggerKind.Timer))
        {
            Assert.Equal(6, timer.Schedule!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            var cron = Cronos.CronExpression.Parse(timer.Schedule, Cronos.CronFormat.IncludeSeconds);
            Assert.NotNull(cron.GetNextOccurrence(DateTimeOffset.UnixEpoch, TimeZoneInfo.Utc));
        }
    }

    [Fact]
    public void Queue_names_include_a_poison_queue_for_each_queue_function()
    {
        foreach (var queue in FunctionRegistry.All.Where(f => f.Trigger == TriggerKind.Queue))
        {
            Assert.Contains(queue.QueueName!, FunctionRegistry.QueueNames);
            Assert.Contains(queue.QueueName + "-poison", FunctionRegistry.QueueNames);
        }
    }
}
