using System.Diagnostics;
using System.Text.Json;
using HomeService.Functions.Hosting;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Messaging;

namespace HomeService.Functions.Tests.Infra;

/// <summary>
/// Compares what infra/main.bicep deploys with what the app uses: Cosmos containers and partition
/// keys with <see cref="CosmosContainers.All"/>, queues with <see cref="FunctionCatalog.QueueNames"/>,
/// the integration-event topic with <see cref="IntegrationEventsOptions.DefaultTopic"/>.
/// </summary>
/// <remarks>
/// How the lists are read: from the compiled ARM template (artifacts/bicep/main.json, written by
/// scripts/bicep.sh), not from the .bicep text and not from template outputs. ARM outputs are
/// expressions evaluated only at deployment time (a module output compiles to
/// <c>[reference(...).outputs.x.value]</c>), so a compiled template holds no values there. A Bicep
/// variable whose value is a plain literal, however, is emitted verbatim into the <c>variables</c>
/// section of the template it is declared in (a module's variables sit in its nested
/// <c>properties.template</c>). So the Bicep keeps each list in ONE literal variable
/// (<c>cosmosContainers</c> in infra/app/cosmos.bicep, <c>queueNames</c> in infra/main.bicep), the
/// resources loop over those variables, and this test finds each variable wherever it is declared,
/// requires it to be declared exactly once and to be a literal JSON array (an ARM expression would
/// be a string), and checks that the looping resource really reads it.
/// </remarks>
public sealed class BicepConsistencyTests
{
    private static readonly Lazy<JsonElement> Template = new(LoadTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    [Fact]
    public void Cosmos_containers_and_partition_keys_equal_the_apps()
    {
        var fromBicep = LiteralArray(Template.Value, "cosmosContainers")
            .Select(c => $"{c.GetProperty("name").GetString()} {c.GetProperty("partitionKeyPath").GetString()}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var fromApp = CosmosContainers.All
            .Select(c => $"{c.Name} {c.PartitionKeyPath}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(fromApp, fromBicep);
    }

    [Fact]
    public void Cosmos_container_default_ttls_equal_the_apps()
    {
        var fromBicep = LiteralArray(Template.Value, "cosmosContainers")
            .Select(c => $"{c.GetProperty("name").GetString()} ttl={(c.TryGetProperty("defaultTtl", out var ttl) ? ttl.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var fromApp = CosmosContainers.All
            .Select(c => $"{c.Name} ttl={(c.DefaultTtlSeconds is { } ttl ? ttl.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(fromApp, fromBicep);
    }

    [Fact]
    public void Queue_names_equal_the_function_registry()
    {
        var fromBicep = LiteralArray(Template.Value, "queueNames")
            .Select(q => q.GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
        var fromApp = FunctionCatalog.QueueNames.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(fromApp, fromBicep);
        Assert.All(
            fromApp.Where(q => !q.EndsWith("-poison", StringComparison.Ordinal)),
            q => Assert.Contains($"{q}-poison", fromBicep));
    }

    [Fact]
    public void The_deployed_resources_loop_over_the_checked_variables()
    {
        // Guards against a resource that stops reading the variable this test compares.
        var containers = Resources(Template.Value, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers");
        Assert.Contains("variables('cosmosContainers')", Assert.Single(containers).GetProperty("copy").GetRawText(), StringComparison.Ordinal);

        var queues = Resources(Template.Value, "Microsoft.Storage/storageAccounts/queueServices/queues");
        Assert.Contains("parameters('queueNames')", Assert.Single(queues).GetProperty("copy").GetRawText(), StringComparison.Ordinal);

        var storageModule = Resources(Template.Value, "Microsoft.Resources/deployments")
            .Single(d => d.GetProperty("name").GetString() == "storage");
        Assert.Equal(
            "[variables('queueNames')]",
            storageModule.GetProperty("properties").GetProperty("parameters").GetProperty("queueNames").GetProperty("value").GetString());
    }

    [Fact]
    public void The_function_app_runs_the_dotnet_isolated_10_runtime_with_identity_based_host_storage()
    {
        var site = Assert.Single(Resources(Template.Value, "Microsoft.Web/sites"));
        var runtime = site.GetProperty("properties").GetProperty("functionAppConfig").GetProperty("runtime");
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal("10.0", runtime.GetProperty("version").GetString());

        // Flex declares the runtime in functionAppConfig and refuses these settings; the host storage is identity-based.
        var json = Template.Value.GetRawText();
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", json, StringComparison.Ordinal);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", json, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__credential", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"AzureWebJobsStorage\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void No_keys_or_key_based_connection_strings_anywhere()
    {
        var json = Template.Value.GetRawText();
        Assert.DoesNotContain("listKeys(", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listConnectionStrings(", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", json, StringComparison.OrdinalIgnoreCase);

        var storage = Assert.Single(Resources(Template.Value, "Microsoft.Storage/storageAccounts"));
        Assert.False(storage.GetProperty("properties").GetProperty("allowSharedKeyAccess").GetBoolean());
        var cosmos = Assert.Single(Resources(Template.Value, "Microsoft.DocumentDB/databaseAccounts"));
        Assert.True(cosmos.GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
    }

    [Fact]
    public void Every_azd_parameter_is_declared_by_main_bicep()
    {
        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot, "infra", "main.parameters.json")));
        var declared = Template.Value.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(
            parameters.RootElement.GetProperty("parameters").EnumerateObject(),
            p => Assert.Contains(p.Name, declared));
    }

    [Fact]
    public void Sms_and_push_app_settings_in_bicep_bind_to_their_options()
    {
        HashSet<string> Names(string prefix) => System.Text.RegularExpressions.Regex.Matches(Template.Value.GetRawText(), prefix + "([A-Za-z0-9]+)")
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        HashSet<string> Properties(Type type) => type.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var sms = Names("Auth__Sms__TencentCloud__");
        Assert.All(sms, name => Assert.Contains(name, Properties(typeof(HomeService.Functions.Auth.TencentCloudSmsOptions))));
        var required = new HomeService.Functions.Auth.TencentCloudSmsOptions { Region = "" }.Missing().Select(m => m[(m.LastIndexOf(':') + 1)..]);
        Assert.All(required, name => Assert.Contains(name, sms));

        var push = Names("Notifications__Push__WeChat__");
        Assert.Contains("Templates", push);
        Assert.All(push, name => Assert.Contains(name, Properties(typeof(HomeService.Functions.Notifications.WeChatPushOptions))));
        Assert.Contains("Notifications__Push__Provider", Template.Value.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Payments_app_settings_in_bicep_bind_to_the_wechat_pay_options()
    {
        // Keys of the api module's appSettings, literal or computed ("[format('Payments__WeChatPay__X__{0}', …)]").
        var fromBicep = System.Text.RegularExpressions.Regex.Matches(Template.Value.GetRawText(), @"""(?:\[format\(')?Payments__WeChatPay__([A-Za-z0-9]+)")
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var options = typeof(HomeService.Functions.Payments.WeChatPay.WeChatPayOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(fromBicep, name => Assert.Contains(name, options));
        var required = new HomeService.Functions.Payments.WeChatPay.WeChatPayOptions { BaseUrl = "" }.Validate();
        Assert.All(options.Where(o => o != "BaseUrl" && required.Any(e => e.Contains($":{o} ", StringComparison.Ordinal))),
            name => Assert.Contains(name, fromBicep));
    }

    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    [Fact]
    public void The_integration_event_topic_is_the_apps_default_topic_and_the_app_is_told_its_name()
    {
        Assert.Equal(IntegrationEventsOptions.DefaultTopic, LiteralString(Template.Value, "integrationEventsTopicName"));

        // The topic the module creates and the topic the app sends to both read that one variable.
        Assert.Equal("[variables('integrationEventsTopicName')]", ModuleParameter("serviceBus", "topicName").GetString());
        var settings = ModuleParameter("api", "appSettings");
        Assert.Equal("[variables('integrationEventsTopicName')]", settings.GetProperty("IntegrationEvents__ServiceBus__Topic").GetString());
        Assert.Equal("ServiceBus", settings.GetProperty("IntegrationEvents__Provider").GetString());
        var fullyQualifiedNamespace = settings.GetProperty("IntegrationEvents__ServiceBus__FullyQualifiedNamespace").GetString();
        Assert.Contains("'serviceBus'", fullyQualifiedNamespace, StringComparison.Ordinal);
        Assert.Contains(".outputs.fullyQualifiedNamespace.value", fullyQualifiedNamespace, StringComparison.Ordinal);

        var topic = Assert.Single(Resources(Template.Value, "Microsoft.ServiceBus/namespaces/topics"));
        Assert.Equal("[format('{0}/{1}', parameters('name'), parameters('topicName'))]", topic.GetProperty("name").GetString());
    }

    [Fact]
    public void The_topic_drops_repeated_message_ids_for_a_day_on_a_namespace_without_keys()
    {
        var topic = Assert.Single(Resources(Template.Value, "Microsoft.ServiceBus/namespaces/topics")).GetProperty("properties");
        Assert.True(topic.GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.Equal("P1D", topic.GetProperty("duplicateDetectionHistoryTimeWindow").GetString());

        var serviceBus = Assert.Single(Resources(Template.Value, "Microsoft.ServiceBus/namespaces"));
        Assert.Equal("Standard", serviceBus.GetProperty("sku").GetProperty("name").GetString());
        Assert.True(serviceBus.GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("1.2", serviceBus.GetProperty("properties").GetProperty("minimumTlsVersion").GetString());
    }

    [Fact]
    public void The_topic_has_exactly_the_analytics_and_crm_subscriptions()
    {
        var names = LiteralArray(Template.Value, "integrationEventsSubscriptionNames").Select(n => n.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(["analytics", "crm"], names);

        var subscriptions = Assert.Single(Resources(Template.Value, "Microsoft.ServiceBus/namespaces/topics/subscriptions"));
        Assert.Contains("parameters('subscriptionNames')", subscriptions.GetProperty("copy").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[variables('integrationEventsSubscriptionNames')]", ModuleParameter("serviceBus", "subscriptionNames").GetString());
    }

    [Fact]
    public void The_app_identity_is_service_bus_data_sender_on_the_topic()
    {
        var module = ModuleTemplate("serviceBus");
        var assignment = Assert.Single(Resources(module, "Microsoft.Authorization/roleAssignments")).GetProperty("properties");

        Assert.Contains(ServiceBusDataSender, ResolveVariables(module, assignment.GetProperty("roleDefinitionId").GetString()!), StringComparison.Ordinal);
        Assert.Equal("[parameters('senderPrincipalId')]", assignment.GetProperty("principalId").GetString());
        Assert.StartsWith("[resourceId('Microsoft.ServiceBus/namespaces/topics',", Assert.Single(Resources(module, "Microsoft.Authorization/roleAssignments")).GetProperty("scope").GetString(), StringComparison.Ordinal);
        AssertIsAppIdentity(ModuleParameter("serviceBus", "senderPrincipalId").GetString());
    }

    [Fact]
    public void The_app_identity_gets_the_table_role_the_durable_task_hub_needs()
    {
        var module = ModuleTemplate("rbac");
        var appStorage = Resources(module, "Microsoft.Authorization/roleAssignments")
            .Where(r => r.GetProperty("properties").GetProperty("principalId").GetString() == "[parameters('appPrincipalId')]")
            .Where(r => r.GetProperty("scope").GetString()!.Contains("'Microsoft.Storage/storageAccounts'", StringComparison.Ordinal))
            .ToList();
        var looped = Assert.Single(appStorage);
        var count = looped.GetProperty("copy").GetProperty("count").GetString()!;
        var variable = System.Text.RegularExpressions.Regex.Match(count, @"variables\('([^']+)'\)").Groups[1].Value;
        var roles = LiteralArray(module, variable).Select(r => ResolveVariables(module, r.GetString()!));

        Assert.Contains(roles, role => role.Contains(StorageTableDataContributor, StringComparison.Ordinal));
        Assert.Contains($"variables('{variable}')[copyIndex()]", looped.GetProperty("properties").GetProperty("roleDefinitionId").GetString(), StringComparison.Ordinal);
        AssertIsAppIdentity(ModuleParameter("rbac", "appPrincipalId").GetString());
    }

    [Fact]
    public void Integration_event_app_settings_in_bicep_bind_to_their_options()
    {
        var settings = ModuleParameter("api", "appSettings").EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith("IntegrationEvents__", StringComparison.Ordinal)).ToList();
        HashSet<string> Properties(Type type) => type.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(settings.Select(s => s.Split("__")[1]), name => Assert.Contains(name, Properties(typeof(IntegrationEventsOptions))));
        var serviceBus = settings.Where(s => s.StartsWith("IntegrationEvents__ServiceBus__", StringComparison.Ordinal)).Select(s => s.Split("__")[2]).ToList();
        Assert.All(serviceBus, name => Assert.Contains(name, Properties(typeof(ServiceBusIntegrationEventsOptions))));
        var required = new ServiceBusIntegrationEventsOptions { Topic = "" }.Missing().Select(m => m[(m.LastIndexOf(':') + 1)..]);
        Assert.All(required, name => Assert.Contains(name, serviceBus));
        Assert.Contains("IntegrationEvents__Provider", settings);
    }

    private static void AssertIsAppIdentity(string? expression)
    {
        Assert.NotNull(expression);
        Assert.Contains("'Microsoft.Resources/deployments', 'apiIdentity')", expression, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.principalId.value]", expression, StringComparison.Ordinal);
    }

    private static readonly string RepoRoot = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HomeService.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No HomeService.Functions.sln above {AppContext.BaseDirectory}.");
    }

    private static JsonElement LoadTemplate()
    {
        var templatePath = Path.Combine(RepoRoot, "artifacts", "bicep", "main.json");
        if (IsMissingOrStale(templatePath))
        {
            RunBicepScript();
        }

        using var document = JsonDocument.Parse(File.ReadAllText(templatePath));
        return document.RootElement.Clone();
    }

    // A template older than any file under infra/ would test yesterday's Bicep.
    private static bool IsMissingOrStale(string templatePath)
    {
        if (!File.Exists(templatePath))
        {
            return true;
        }

        var built = File.GetLastWriteTimeUtc(templatePath);
        return Directory.EnumerateFiles(Path.Combine(RepoRoot, "infra"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    private static void RunBicepScript()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "scripts", "bicep.sh")])
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start scripts/bicep.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/bicep.sh did not finish within 5 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/bicep.sh exited {process.ExitCode}:\n{stdout.GetAwaiter().GetResult()}\n{stderr.GetAwaiter().GetResult()}");
        }
    }

    /// <summary>The one declaration of a Bicep variable, wherever in the template (or a module's) it is.</summary>
    private static JsonElement Variable(JsonElement template, string variableName)
    {
        var declarations = new List<JsonElement>();
        Walk(template, element =>
        {
            if (element.TryGetProperty("variables", out var variables)
                && variables.ValueKind == JsonValueKind.Object
                && variables.TryGetProperty(variableName, out var value))
            {
                declarations.Add(value);
            }
        });

        return Assert.Single(declarations);
    }

    private static List<JsonElement> LiteralArray(JsonElement template, string variableName)
    {
        var declaration = Variable(template, variableName);
        Assert.True(
            declaration.ValueKind == JsonValueKind.Array,
            $"Bicep variable '{variableName}' must be a plain literal array; it compiled to {declaration.ValueKind}: {declaration.GetRawText()}");
        return [.. declaration.EnumerateArray()];
    }

    private static string LiteralString(JsonElement template, string variableName)
    {
        var declaration = Variable(template, variableName);
        var text = declaration.ValueKind == JsonValueKind.String ? declaration.GetString()! : declaration.GetRawText();
        Assert.False(text.StartsWith('['), $"Bicep variable '{variableName}' must be a plain literal string; it compiled to {text}");
        return text;
    }

    /// <summary>The nested template of the module deployed as <paramref name="name"/> by main.bicep.</summary>
    private static JsonElement ModuleTemplate(string name) =>
        Module(name).GetProperty("properties").GetProperty("template");

    /// <summary>What main.bicep passes to parameter <paramref name="parameter"/> of module <paramref name="name"/>.</summary>
    private static JsonElement ModuleParameter(string name, string parameter) =>
        Module(name).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value");

    private static JsonElement Module(string name) =>
        Assert.Single(Resources(Template.Value, "Microsoft.Resources/deployments"), d => d.GetProperty("name").GetString() == name);

    /// <summary>An ARM expression with <c>variables('x')</c> and <c>variables('x').y</c> replaced by the template's literal strings.</summary>
    private static string ResolveVariables(JsonElement template, string expression)
    {
        var variables = template.GetProperty("variables");
        return System.Text.RegularExpressions.Regex.Replace(expression, @"variables\('([^']+)'\)(?:\.([A-Za-z0-9_]+))?", m =>
        {
            var value = variables.GetProperty(m.Groups[1].Value);
            if (m.Groups[2].Success)
            {
                value = value.GetProperty(m.Groups[2].Value);
            }

            return value.ValueKind == JsonValueKind.String ? value.GetString()! : m.Value;
        });
    }

    private static List<JsonElement> Resources(JsonElement template, string type)
    {
        var found = new List<JsonElement>();
        Walk(template, element =>
        {
            if (element.TryGetProperty("type", out var t)
                && t.ValueKind == JsonValueKind.String
                && string.Equals(t.GetString(), type, StringComparison.OrdinalIgnoreCase)
                && element.TryGetProperty("apiVersion", out _))
            {
                found.Add(element);
            }
        });
        return found;
    }

    private static void Walk(JsonElement element, Action<JsonElement> visitObject)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                visitObject(element);
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, visitObject);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, visitObject);
                }

                break;
        }
    }
}
