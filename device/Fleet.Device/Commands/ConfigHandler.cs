using System.Text;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

/// <summary><c>config</c>: changes photoperiod and thresholds (null fields keep their value); answers with the
/// effective configuration. An inconsistent change is refused whole.</summary>
internal sealed class ConfigHandler(TankController tank) : ICommandHandler
{
    public string Name => CommandNames.Config;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        var change = CommandArgs.Read(command, FleetJson.Default.TankConfig, "{\"lightOnHours\":16,\"harvestTurbidity\":600}", out var refusal);
        if (change is null)
        {
            return Task.FromResult(refusal!);
        }

        var effective = tank.Configure(change, out var error);
        return Task.FromResult(effective is null
            ? new CommandResponse(false, "invalid_config", error)
            : new CommandResponse(true, Detail: Encoding.UTF8.GetString(FleetJson.Serialize(effective.ToConfig()))));
    }
}
