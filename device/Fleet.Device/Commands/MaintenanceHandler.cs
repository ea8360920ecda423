using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

/// <summary><c>maintenance</c> <c>{"on":true|false}</c>: holds every output off while someone works on the tank.</summary>
internal sealed class MaintenanceHandler(TankController tank) : ICommandHandler
{
    public string Name => CommandNames.Maintenance;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        var args = CommandArgs.Read(command, FleetJson.Default.MaintenanceArgs, "{\"on\":true}", out var refusal);
        if (args is null)
        {
            return Task.FromResult(refusal!);
        }

        return Task.FromResult(tank.SetMaintenance(args.On, out var error)
            ? new CommandResponse(true, Detail: TankStateNames.Of(tank.State))
            : new CommandResponse(false, "invalid_state", error));
    }
}
