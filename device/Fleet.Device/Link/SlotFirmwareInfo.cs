using System.Text.Json;
using Fleet.Device.Storage;
using Fleet.Device.Update;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Link;

/// <summary>Reads the installed version from the running slot's <c>manifest.json</c> (the slot keeps its bundle's
/// manifest; the running slot is <see cref="Slot.Running"/>: <c>FLEET_SLOT</c>, exported by fleet-boot, else the
/// <c>current</c> link) and reports that slot as active. A development run without them reports neither.</summary>
public sealed class SlotFirmwareInfo(DeviceRoot root) : IFirmwareInfo
{
    public FirmwareIdentity? Current
    {
        get
        {
            using var doc = TryRead(ManifestPath);
            if (doc is null)
            {
                return null;
            }

            var m = doc.RootElement;
            string? Get(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var uuid = Get("uuid");
            var version = Get("version");
            return uuid is null || version is null ? null : new FirmwareIdentity(uuid, version, Get("product"), Get("platform"), Get("architecture"));
        }
    }

    public TrustVersions? Trust
    {
        get
        {
            var store = new DeviceTrust(root);
            if (!store.Exists)
            {
                return null;
            }

            var loaded = store.Load();
            return loaded.IsValid ? new TrustVersions(loaded.Value!.Root.Version, loaded.Value.Targets.Version) : new TrustVersions(0, 0);
        }
    }

    /// <summary>The running slot's manifest.json (it may not exist in a development run).</summary>
    public string ManifestPath => Path.Combine(RunningSlotDir, "manifest.json");

    /// <summary>A string of the running slot's manifest <c>misc</c> object, or null.</summary>
    public string? Misc(string key)
    {
        using var doc = TryRead(ManifestPath);
        return doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object
            && doc.RootElement.TryGetProperty("misc", out var misc) && misc.ValueKind == JsonValueKind.Object
            && misc.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
    }

    private string RunningSlotDir => Slot.Running(root) is { } slot ? root.SlotDir(slot) : root.Current;

    public string? ActiveSlot => Slot.Running(root);

    private static JsonDocument? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }
}
