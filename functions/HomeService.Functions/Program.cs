using HomeService.Functions;
using HomeService.Functions.Hosting;

// `HomeService.Functions emit-functions DIR` writes the function.json folders from the registry and exits.
if (args is ["emit-functions", var outputDirectory, ..])
{
    foreach (var folder in FunctionJsonEmitter.Emit(outputDirectory, FunctionRegistry.All))
    {
        Console.WriteLine(folder);
    }

    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHomeService(builder.Configuration, builder.Environment);

var app = builder.Build();
app.UseHomeService();
await app.RunAsync();

public partial class Program;
