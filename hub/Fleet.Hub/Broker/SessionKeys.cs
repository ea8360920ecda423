namespace Fleet.Hub.Broker;

/// <summary>Keys of MQTTnet's per-session items. Publish and subscribe interceptors do not see the client
/// certificate, so the serial proven at CONNECT is kept here.</summary>
internal static class SessionKeys
{
    public const string Serial = "fleet.serial";

    /// <summary>Marks messages the hub itself injects; device sessions never carry it.</summary>
    public const string Hub = "fleet.hub";
}
