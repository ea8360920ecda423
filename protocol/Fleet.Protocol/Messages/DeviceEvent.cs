namespace Fleet.Protocol.Messages;

/// <summary>Published at QoS 1 on <c>events</c>.
/// <see cref="Kind"/> is one of <see cref="EventKinds"/>; <see cref="Name"/> is the tank state, the sensor,
/// or the update stage (<see cref="UpdateStages"/>).</summary>
public sealed record DeviceEvent(
    string Kind,
    string Name,
    DateTimeOffset Ts,
    string? Detail = null,
    string? FirmwareUuid = null,
    string? FirmwareVersion = null,
    string? Reason = null,
    double? Progress = null);
