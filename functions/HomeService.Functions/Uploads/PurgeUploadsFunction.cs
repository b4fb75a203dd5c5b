using Microsoft.Azure.Functions.Worker;

namespace HomeService.Functions.Uploads;

/// <summary>Hourly timer: deletes uploads that were issued but never confirmed, with their blobs.</summary>
public sealed class PurgeUploadsFunction(UploadStore uploads)
{
    public const string Name = "PurgeAbandonedUploads";

    /// <summary>Every hour at minute 7 (NCRONTAB with seconds).</summary>
    public const string Schedule = "0 7 * * * *";

    [Function(Name)]
    public async Task<string> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken ct)
    {
        var purged = await uploads.PurgeAbandonedAsync(ct);
        return $"Purged {purged} abandoned uploads";
    }
}
