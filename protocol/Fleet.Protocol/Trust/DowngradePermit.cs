using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>A signed permission to install one release over named lower versions, until it expires. Signed as a
/// TUF-style envelope (<c>_type</c> <see cref="Type"/>) by a firmware-signing key whose scope covers the device.
/// Without one, a device refuses every version below its high-water mark.</summary>
public sealed record DowngradePermit(string Product, string TargetUuid, string TargetVersion, IReadOnlyList<string> Replaces, DateTimeOffset Expires)
{
    public const string Type = "fleet-downgrade-permit";

    public JsonObject ToSigned() => new()
    {
        ["_type"] = Type,
        ["spec_version"] = TufRoles.SpecVersion,
        ["product"] = Product,
        ["target"] = new JsonObject { ["uuid"] = TargetUuid, ["version"] = TargetVersion },
        ["replaces"] = new JsonArray([.. Replaces.Select(v => (JsonNode)v)]),
        ["expires"] = StrictJson.FormatTimestamp(Expires),
    };

    internal static DowngradePermit Parse(SignedEnvelope envelope)
    {
        const string what = "downgrade permit";
        var s = envelope.Signed;
        var target = StrictJson.Object(s, "target", what);
        var replaces = StrictJson.Strings(s, "replaces", what, 64);
        if (replaces.Count == 0)
        {
            throw new TrustFormatException($"{what}: 'replaces' names no version");
        }

        return new DowngradePermit(
            StrictJson.String(s, "product", what, 64),
            StrictJson.String(target, "uuid", what, 64),
            StrictJson.String(target, "version", what, 128),
            replaces,
            StrictJson.Timestamp(s, "expires", what));
    }
}
