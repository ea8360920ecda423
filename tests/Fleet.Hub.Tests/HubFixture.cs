using Fleet.Testing;

namespace Fleet.Hub.Tests;

/// <summary>One hub process per test class (starting one costs seconds). Tests share it but not data: each uses
/// its own product, serials and group names. Each integration test class runs twice, once per database provider
/// (<see cref="SqliteHub"/>, <see cref="PostgresHub"/>): the classes are abstract with a nested subclass per provider.</summary>
public abstract class HubFixture : IAsyncLifetime
{
    private RunningHub? _hub;

    public RunningHub Hub => _hub ?? throw new InvalidOperationException("hub not started");

    public async Task InitializeAsync() => _hub = await RunningHub.StartAsync(extraArgs: HubArguments());

    public async Task DisposeAsync()
    {
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }
    }

    protected abstract IEnumerable<string> HubArguments();
}
