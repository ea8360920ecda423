namespace Fleet.Hub.Broker;

/// <summary>Keys of MQTTnet's per-session items. Publish and subscribe interceptors do not see the client
/// certificate, so the serial proven at CONNECT is kept here.</summary>
internal static class SessionKeys
{
    public const string Serial = "fleet.serial";

    /// <summary>Marks messages the hub itself injects; device sessions never carry it.</summary>
    public const string Hub = "fleet.hub";

    /// <summary>Sender id of messages the hub injects. '$' cannot start a serial, so no device can claim it.</summary>
    public const string HubClientId = "$fleet-hub";
}
