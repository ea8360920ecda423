using Fleet.Device.Commands;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Ota;

/// <summary><c>cancel-update</c>: stops an update that has not reached boot.json yet.</summary>
internal sealed class CancelUpdateCommandHandler(Lazy<UpdateAgent> agent) : ICommandHandler
{
    public string Name => CommandNames.CancelUpdate;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct) => Task.FromResult(agent.Value.Cancel());
}
