using Fleet.Hub.Firmware;

namespace Fleet.Hub.Api;

internal sealed record PermitView(string Firmware, IReadOnlyList<string> Replaces, DateTimeOffset Expires)
{
    public static PermitView Of(string uuid, DowngradePermitRecord p) => new(uuid, p.Replaces, p.Expires);
}
