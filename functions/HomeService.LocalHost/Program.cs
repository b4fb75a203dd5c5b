using HomeService.Functions;
using HomeService.Functions.Hosting;

namespace HomeService.LocalHost;

/// <summary>
/// The local host: the same composition as the function app (<see cref="AppSetup.AddHomeService"/>) in a generic host
/// whose web server maps the HTTP function's route — the shape of the isolated worker's own ASP.NET Core integration.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static Task Main(string[] args) => CreateHostBuilder(args).Build().RunAsync();

    public static IHostBuilder CreateHostBuilder(string[] args) =>
        Host.CreateDefaultBuilder(args)
            .ConfigureWebHostDefaults(web => web.Configure(app => app.UseLocalFunctions()))
            .ConfigureServices((context, services) =>
            {
                services.AddHomeService(context.Configuration, context.HostingEnvironment);
                services.AddHomeServiceTelemetry(context.Configuration, TelemetryHost.LocalHost);
                services.AddLocalFunctionsHost(context.Configuration);
            });
}
