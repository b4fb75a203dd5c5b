using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Tests.Support;
using HomeService.LocalHost;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// The functions.metadata the Worker.Sdk writes at build is what the Functions host runs; the local host must run
/// exactly those functions, with the same triggers, schedules, queues and routes (ARCHITECTURE D2).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FunctionMetadataTests(ApiFactory factory)
{
    private sealed record Declared(string Name, string Trigger, string? Detail, string? Methods);

    [Fact]
    public void The_local_host_runs_exactly_the_functions_of_the_built_metadata()
    {
        var fromMetadata = Metadata().Select(Declaration).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

        var hostJson = factory.Services.GetRequiredService<HostJson>();
        var timers = factory.Services.GetRequiredService<LocalTimers>().Functions
            .Select(f => new Declared(f.Name, "timerTrigger", f.Schedule, null));
        var queues = factory.Services.GetRequiredService<LocalQueues>().Functions
            .Select(f => new Declared(f.Name, "queueTrigger", f.QueueName, null));
        var http = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<FunctionDescriptor>() is not null)
            .Select(e => (Endpoint: e, Function: e.Metadata.GetMetadata<FunctionDescriptor>()!))
            .Select(x =>
            {
                // The route the host would compute from the metadata must be the pattern the local host serves.
                Assert.Equal(LocalFunctionsHost.RouteOf(hostJson, x.Function), x.Endpoint.RoutePattern.RawText);
                return new Declared(x.Function.Name, "httpTrigger", x.Function.Route,
                    string.Join(",", x.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()).Order()));
            });
        var durable = factory.Services.GetRequiredService<LocalDurableFunctions>();
        var orchestrators = durable.Orchestrators.Select(f => new Declared(f.Name, "orchestrationTrigger", null, null));
        var activities = durable.Activities.Select(f => new Declared(f.Name, "activityTrigger", null, null));
        var local = timers.Concat(queues).Concat(http).Concat(orchestrators).Concat(activities).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

        Assert.NotEmpty(fromMetadata);
        Assert.Equal(fromMetadata, local);
        Assert.Equal(fromMetadata.Select(d => d.Name), FunctionCatalog.All.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_method_marked_as_a_function_is_in_the_catalog_the_local_host_reads_from_the_generated_metadata()
    {
        var marked = typeof(FunctionCatalog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance
                | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .Select(m => System.Reflection.CustomAttributeExtensions.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>(m)?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(marked.Count > 10, $"{marked.Count} functions");
        Assert.Equal(marked, FunctionCatalog.All.Select(f => f.Name));
    }

    [Fact]
    public void The_metadata_names_the_app_assembly_and_each_functions_method()
    {
        foreach (var function in Metadata())
        {
            Assert.Equal("HomeService.Functions.dll", function.GetProperty("scriptFile").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            var descriptor = FunctionCatalog.Get(function.GetProperty("name").GetString()!);
            Assert.Equal($"{descriptor.Method.DeclaringType!.FullName}.{descriptor.Method.Name}", function.GetProperty("entryPoint").GetString());
        }
    }

    [Fact]
    public void There_is_one_anonymous_http_function_and_it_takes_the_whole_api()
    {
        var http = Assert.Single(Metadata(), f => Trigger(f).GetProperty("type").GetString() == "httpTrigger");
        var trigger = Trigger(http);
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(ApiFunction.Route, trigger.GetProperty("route").GetString());
        Assert.Contains(http.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "Out");
    }

    [Fact]
    public void Every_timer_schedule_is_a_six_field_ncrontab_and_every_queue_has_its_poison_queue_provisioned()
    {
        foreach (var timer in FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Timer))
        {
            Assert.Equal(6, timer.Schedule!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.NotNull(Cronos.CronExpression.Parse(timer.Schedule, Cronos.CronFormat.IncludeSeconds).GetNextOccurrence(DateTimeOffset.UnixEpoch, TimeZoneInfo.Utc));
        }

        foreach (var queue in FunctionCatalog.All.Where(f => f.Trigger == TriggerKind.Queue))
        {
            Assert.Contains(queue.QueueName!, FunctionCatalog.QueueNames);
            Assert.Contains(queue.QueueName + FunctionCatalog.PoisonSuffix, FunctionCatalog.QueueNames);
        }
    }

    [Fact]
    public void A_function_the_local_host_could_not_bind_is_refused_at_start_up()
    {
        var method = typeof(Unbindable).GetMethod(nameof(Unbindable.RunAsync))!;
        var function = new FunctionDescriptor("Unbindable", TriggerKind.Timer, method, method.GetParameters()[0], Schedule: "0 * * * * *");

        var refused = Assert.Throws<InvalidOperationException>(() => LocalFunctionInvoker.Validate([function]));
        Assert.Contains("orders", refused.Message);
    }

    private static Declared Declaration(JsonElement function)
    {
        var trigger = Trigger(function);
        var type = trigger.GetProperty("type").GetString()!;
        return type switch
        {
            "timerTrigger" => new Declared(function.GetProperty("name").GetString()!, type, trigger.GetProperty("schedule").GetString(), null),
            "queueTrigger" => new Declared(function.GetProperty("name").GetString()!, type, trigger.GetProperty("queueName").GetString(), null),
            "orchestrationTrigger" or "activityTrigger" => new Declared(function.GetProperty("name").GetString()!, type, null, null),
            "httpTrigger" => new Declared(function.GetProperty("name").GetString()!, type, trigger.GetProperty("route").GetString(),
                string.Join(",", trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).Order())),
            _ => throw new Xunit.Sdk.XunitException($"functions.metadata has a {type} the local host does not run."),
        };
    }

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>The file the Worker.Sdk wrote at build, carried into this test's output with the app.</summary>
    private static JsonElement[] Metadata()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the Worker.Sdk did not run on the function project.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private sealed class Unbindable
    {
        public Task RunAsync([Microsoft.Azure.Functions.Worker.TimerTrigger("0 * * * * *")] Microsoft.Azure.Functions.Worker.TimerInfo timer, List<string> orders) =>
            Task.CompletedTask;
    }
}
