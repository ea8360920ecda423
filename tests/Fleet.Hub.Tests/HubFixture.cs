using Fleet.Testing;

namespace Fleet.Hub.Tests;

/// <summary>One hub process per test class (starting one costs seconds). Tests share it but not data: each uses
/// its own product, serials and group names.</summary>
public sealed class HubFixture : IAsyncLifetime
{
    private RunningHub? _hub;

    public RunningHub Hub => _hub ?? throw new InvalidOperationException("hub not started");

    public async Task InitializeAsync() => _hub = await RunningHub.StartAsync();

    public async Task DisposeAsync()
    {
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }
    }
}
