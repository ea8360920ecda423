namespace Fleet.Device.Update;

/// <summary>The agent's filesystem root as DESIGN.md lays it out: one place that names every path, so the agent, the
/// link and the OTA work (update journal, slots, boot.json) agree on the layout.</summary>
public sealed class DeviceRoot(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string BootJson => System.IO.Path.Combine(Path, "boot.json");
    public string SlotsDir => System.IO.Path.Combine(Path, "slots");
    public string Current => System.IO.Path.Combine(Path, "current");
    public string UpdateDir => System.IO.Path.Combine(Path, "update");
    public string ProvisioningDir => System.IO.Path.Combine(Path, "provisioning");
    public string TrustedKeysDir => System.IO.Path.Combine(ProvisioningDir, "trusted-keys");
    public string DeviceCertificate => System.IO.Path.Combine(ProvisioningDir, "device.crt");
    public string DeviceKey => System.IO.Path.Combine(ProvisioningDir, "device.key");
    public string CaCertificate => System.IO.Path.Combine(ProvisioningDir, "ca.crt");

    /// <summary>The hub anchor pinned before the last <c>hub-anchor</c> command, kept until a connection verified
    /// under the new one.</summary>
    public string PreviousCaCertificate => System.IO.Path.Combine(ProvisioningDir, "ca.crt.previous");
    public string HubJson => System.IO.Path.Combine(ProvisioningDir, "hub.json");

    /// <summary>The product's TUF metadata (root.json, targets.json) and the device's tags and groups (membership.json).
    /// While it does not exist the device trusts <see cref="TrustedKeysDir"/> (provisioned before trust metadata).</summary>
    public string TrustDir => System.IO.Path.Combine(ProvisioningDir, "trust");

    /// <summary>The highest release this device committed (outside the slots, so no update can rewrite it).</summary>
    public string HighWater => System.IO.Path.Combine(UpdateDir, "high-water.json");

    /// <summary>Telemetry batches and events waiting for the hub.</summary>
    public string SpoolDir => System.IO.Path.Combine(Path, "spool");

    /// <summary>The simulated board's state and fault switches (<c>--simulate</c>).</summary>
    public string SimulationDir => System.IO.Path.Combine(Path, "sim");

    /// <summary>Written by <c>fleet-boot</c> when it reverts a trial; read and cleared by the agent.</summary>
    public string RollbackRecord => System.IO.Path.Combine(UpdateDir, "rollback.json");

    public string SlotDir(string slot) => System.IO.Path.Combine(SlotsDir, slot);

    /// <summary>The manifest a slot was installed from: its firmware identity.</summary>
    public string SlotManifest(string slot) => System.IO.Path.Combine(SlotDir(slot), "manifest.json");
}
