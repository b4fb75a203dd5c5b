namespace HomeService.Functions.Hosting;

/// <summary>
/// Whether start-up is done (every hosted service started: containers and queues ensured, the API pipeline built, on the
/// local host also its Durable engine, timers and queue pollers): /api/health answers 503 "starting" until then, so its
/// first 200 means the app can really serve, however early the web server listens.
/// </summary>
public sealed class StartupReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
