namespace HomeService.Functions.Hosting;

/// <summary>
/// Whether start-up's own work (containers and queues ensured) is done: /api/health answers 503 "starting" until then,
/// so its first 200 means the app can really serve, however early the web server listens.
/// </summary>
public sealed class StartupReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
