using Fleet.Protocol.Messages;

namespace Fleet.Device.Commands;

/// <summary>Handles one hub command (<see cref="DeviceCommand.Name"/> == <see cref="Name"/>). Register with
/// <c>services.AddSingleton&lt;ICommandHandler, MyHandler&gt;()</c>; the link answers with the returned
/// <see cref="CommandResponse"/> on the command's MQTT 5 response topic with its correlation data. Handlers run on
/// the MQTT receive path: return quickly and continue long work (downloads) in the background.</summary>
public interface ICommandHandler
{
    string Name { get; }

    Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct);
}
