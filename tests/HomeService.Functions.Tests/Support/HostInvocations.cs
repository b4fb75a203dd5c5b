using System.Net;
using System.Text;
using System.Text.Json;

namespace HomeService.Functions.Tests.Support;

/// <summary>Calls a non-HTTP function the way the Functions host does (ARCHITECTURE D1): POST /{name} with its envelope.</summary>
public static class HostInvocations
{
    /// <summary>A timer trigger firing at <paramref name="utcNow"/>; answers the function's { Outputs, Logs, ReturnValue }.</summary>
    public static async Task<JsonElement> InvokeTimerAsync(this ApiFactory factory, string functionName, DateTimeOffset utcNow)
    {
        var body = JsonSerializer.Serialize(new
        {
            Data = new { timer = new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = false } },
            Metadata = new { sys = new { MethodName = functionName, UtcNow = utcNow, RandGuid = Guid.NewGuid() } },
        });
        var request = new HttpRequestMessage(HttpMethod.Post, $"/{functionName}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        var response = await factory.CreateClient().SendAsync(request);
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }
}
