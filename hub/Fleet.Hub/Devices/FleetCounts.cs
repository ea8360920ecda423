namespace Fleet.Hub.Devices;

/// <summary>Devices not revoked, how many of them are online, how many are revoked, and the not-revoked ones by firmware
/// version and by tank state (largest first; "unknown" for a device that has not said).</summary>
internal sealed record FleetCounts(int Devices, int Online, int Revoked, IReadOnlyList<(string Version, int Count)> ByVersion, IReadOnlyList<(string State, int Count)> ByState);
