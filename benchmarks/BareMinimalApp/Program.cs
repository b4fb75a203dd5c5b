// GET /api/health → 200: nothing else, so its start-up is what ASP.NET Core itself costs on this machine.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/api/health", () => Results.Ok(new { status = "healthy" }));
app.Run();
