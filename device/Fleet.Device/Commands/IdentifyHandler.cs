using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

/// <summary><c>identify</c>: blinks the grow light so a person in the greenhouse can find this tank.</summary>
internal sealed class IdentifyHandler(TankController tank) : ICommandHandler
{
    public const int Blinks = 5;

    public string Name => CommandNames.Identify;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        _ = tank.IdentifyAsync(Blinks, TimeSpan.FromSeconds(1), ct);
        return Task.FromResult(new CommandResponse(true, Detail: $"blinking the grow light {Blinks} times"));
    }
}
