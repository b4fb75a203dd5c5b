namespace HomeService.Functions.Tests.Support;

/// <summary>A test class with its own local stack (Azurite + Cosmos server processes) and data folder, for local host processes.</summary>
public abstract class OwnStackTest(string prefix) : IAsyncLifetime
{
    protected string Data { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    protected StackProcess Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await StackProcess.StartAsync(Data);

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }
}
