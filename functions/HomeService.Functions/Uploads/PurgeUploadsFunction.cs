using HomeService.Functions.Hosting;

namespace HomeService.Functions.Uploads;

/// <summary>Hourly timer: deletes uploads that were issued but never confirmed, with their blobs.</summary>
public static class PurgeUploadsFunction
{
    public const string Name = "PurgeAbandonedUploads";

    /// <summary>Every hour at minute 7 (NCRONTAB with seconds).</summary>
    public const string Schedule = "0 7 * * * *";

    public static async Task<object?> RunAsync(FunctionInvocation invocation, CancellationToken ct)
    {
        var purged = await invocation.Services.GetRequiredService<UploadStore>().PurgeAbandonedAsync(ct);
        invocation.Logs.Add($"Purged {purged} abandoned uploads");
        return null;
    }
}
