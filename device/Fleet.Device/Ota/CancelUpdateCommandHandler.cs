using Fleet.Device.Commands;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Device.Ota;

/// <summary><c>cancel-update</c>: stops an update that has not reached boot.json yet.</summary>
internal sealed class CancelUpdateCommandHandler(IServiceProvider services) : ICommandHandler
{
    public string Name => CommandNames.CancelUpdate;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct) => Task.FromResult(services.GetRequiredService<UpdateAgent>().Cancel());
}
