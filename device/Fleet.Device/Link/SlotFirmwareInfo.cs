using System.Text.Json;
using Fleet.Device.Storage;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Link;

/// <summary>Reads the installed version from <c>ROOT/current/manifest.json</c> (the slot keeps its bundle's manifest)
/// and the active slot from <c>ROOT/boot.json</c>. A development run without them reports neither.</summary>
public sealed class SlotFirmwareInfo(DeviceRoot root) : IFirmwareInfo
{
    public FirmwareIdentity? Current
    {
        get
        {
            using var doc = TryRead(Path.Combine(root.Current, "manifest.json"));
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

    public string? ActiveSlot
    {
        get
        {
            using var doc = TryRead(root.BootJson);
            return doc is not null && doc.RootElement.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        }
    }

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
