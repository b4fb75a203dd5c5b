using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace HomeService.Functions.Tests.Support;

/// <summary>
/// The in-memory test server gives requests no remote address; a real client on this machine has a loopback one. Tests
/// that play a caller from elsewhere send <see cref="Header"/> with the address it would come from.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address) ? address : IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}
