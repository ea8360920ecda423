using Fleet.Protocol.Bundles;

namespace Fleet.Device.Update;

/// <summary>The firmware in a slot is the one its <c>manifest.json</c> describes (written at install, after the
/// bundle's signature was verified), so the installed version never depends on what the agent says of itself.</summary>
public static class InstalledFirmware
{
    public static Manifest? Read(DeviceRoot root, string slot)
    {
        var path = root.SlotManifest(slot);
        if (!File.Exists(path))
        {
            return null;
        }

        var parsed = ManifestCodec.TryParse(File.ReadAllBytes(path), BundleLimits.Default, out var manifest);
        return parsed.Failure == VerificationFailure.None ? manifest : null;
    }
}
