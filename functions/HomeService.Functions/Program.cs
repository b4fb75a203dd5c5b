using HomeService.Functions;
using HomeService.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

// The function app on the .NET isolated worker (ARCHITECTURE D1). The local host (HomeService.LocalHost) composes
// the same services and runs the same functions where no Functions host is installed.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddHomeService(builder.Configuration, builder.Environment);
builder.Services.AddHomeServiceTelemetry(builder.Configuration, TelemetryHost.FunctionsWorker);
builder.Build().Run();
