using Fleet.Device.Sensors;
using Fleet.Device.Update;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

/// <summary><c>trust</c>: newer TUF metadata for the product (and the device's tags and groups). Accepted only when
/// it verifies against what the device trusts now (<see cref="DeviceTrust.Apply"/>); either way the outcome is a
/// device event, so a refused rotation shows on the device's page.</summary>
internal sealed class TrustCommandHandler(DeviceRoot root, IDeviceEvents events, Link.IFirmwareInfo firmware) : ICommandHandler
{
    public string Name => CommandNames.Trust;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        var update = CommandArgs.Read(command, FleetJson.Default.TrustUpdate, "{\"rootsBase64\":[\"…\"],\"targetsBase64\":\"…\",\"tags\":[],\"groups\":[]}", out var refusal);
        if (update is null)
        {
            return Task.FromResult(refusal!);
        }

        var now = TimeProvider.System.GetUtcNow();
        var result = new DeviceTrust(root).Apply(update, now, firmware.Current?.Product);
        if (!result.IsValid)
        {
            events.Publish(new DeviceEvent(EventKinds.Command, CommandNames.Trust, now, Detail: $"refused: {result.Message}", Reason: result.Failure.ToString()));
            return Task.FromResult(new CommandResponse(false, result.Failure.ToString(), result.Message));
        }

        var detail = $"trusting root v{result.Value!.Root.Version}, targets v{result.Value.Targets.Version}";
        events.Publish(new DeviceEvent(EventKinds.Command, CommandNames.Trust, now, Detail: detail));
        return Task.FromResult(new CommandResponse(true, Detail: detail));
    }
}
