namespace Fleet.Hub.Devices;

/// <summary>The one place the Devices context tells live pages that something a device said or did is stored: a
/// message (once <see cref="DeviceInbox"/>'s handler stored it) or a presence change (once <see cref="PresenceWriter"/>
/// wrote it). Pages subscribe to <see cref="Web.FleetChanges"/>; nothing else in Devices raises it.</summary>
internal sealed class DeviceChanges(Web.FleetChanges changes)
{
    public const string PresenceKind = "presence";

    /// <summary>A device message of <paramref name="kind"/> from <paramref name="serial"/> is stored.</summary>
    public void Stored(string kind, string serial) => changes.Publish(kind, serial);

    /// <summary>The presence of <paramref name="serial"/> (connected, disconnected, silent) is written.</summary>
    public void PresenceWritten(string serial) => changes.Publish(PresenceKind, serial);
}
