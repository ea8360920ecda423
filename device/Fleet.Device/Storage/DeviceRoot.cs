namespace Fleet.Device.Storage;

/// <summary>The agent's filesystem root (DESIGN.md "Filesystem root"): one place that names every path, so the
/// OTA work (update journal, slots, boot.json) and the agent agree on the layout.</summary>
public sealed class DeviceRoot(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Provisioning => Combine("provisioning");
    public string DeviceCertificate => Combine("provisioning", "device.crt");
    public string DeviceKey => Combine("provisioning", "device.key");
    public string CaCertificate => Combine("provisioning", "ca.crt");
    public string HubJson => Combine("provisioning", "hub.json");
    public string TrustedKeys => Combine("provisioning", "trusted-keys");
    public string Spool => Combine("spool");
    public string Update => Combine("update");
    public string Slots => Combine("slots");
    public string BootJson => Combine("boot.json");
    public string Current => Combine("current");
    public string Simulation => Combine("sim");

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Atomically replaces <paramref name="relative"/> under the root (temp, fsync, rename, fsync dir).</summary>
    public void WriteAtomic(string relative, ReadOnlySpan<byte> content) => AtomicFile.Write(Combine(relative), content);
}
