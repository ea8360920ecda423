using System.Text.Json;

namespace Fleet.Protocol.Messages;

/// <summary>Sent by the hub at QoS 1 on <c>cmd</c>, with an MQTT 5 response topic and correlation data.
/// <see cref="Name"/> is one of <see cref="CommandNames"/>; <see cref="Args"/> depends on it.</summary>
public sealed record DeviceCommand(string Name, JsonElement? Args = null);
