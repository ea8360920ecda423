using System.Text.Json.Nodes;
using Fleet.Cli.Hub;
using Semver;

namespace Fleet.Cli.Burn;

/// <summary>The agent bundle the hub would have the device run: the firmware of a deployment group that targets the
/// device (its product, this platform, the device's tags), else the newest firmware published for product + platform. Downloaded
/// whole (signed .fwb) from <c>GET /api/v1/firmware/{uuid}/bundle</c>.</summary>
internal sealed class HubBundleSource(HubClient hub, string platform, string architecture) : IBundleSource
{
    public string? Product { get; private set; }

    /// <summary>Where the bundle came from, for the summary line.</summary>
    public string Chosen { get; private set; } = "";

    public async Task<string> ObtainAsync(string serial, string staging, CancellationToken ct)
    {
        var device = await hub.GetAsync($"/api/v1/devices/{Uri.EscapeDataString(serial)}", $"look up device '{serial}'", ct);
        var product = HubOutput.S(device, "product");
        Product = product;

        var (firmware, why) = await FromGroupAsync(device, product, ct) ?? await NewestAsync(product, ct)
            ?? throw new CliFailure($"the hub has no firmware for product '{product}' on {platform}/{architecture}; build and publish one " +
                $"('fleet firmware build --platform {platform} --architecture {architecture} ...' then 'fleet firmware publish'), or pass --bundle F.fwb");

        var uuid = HubOutput.S(firmware, "uuid");
        var path = Path.Combine(staging, $"hub-{uuid}.fwb");
        await hub.DownloadAsync($"/api/v1/firmware/{Uri.EscapeDataString(uuid)}/bundle", path, $"download firmware {HubOutput.S(firmware, "version")} ({uuid})", ct);
        Chosen = $"firmware {HubOutput.S(firmware, "version")} for {platform}/{architecture} ({why})";
        return path;
    }

    /// <summary>A group for the device's product whose firmware is for this platform and whose tags the device has
    /// (all of them, or any with tag match "any"), first by name. The hub's own member listing cannot answer for a card
    /// being burnt: it waits for the device to report its platform and version, which a new device has not done yet.</summary>
    private async Task<(JsonNode Firmware, string Why)?> FromGroupAsync(JsonNode? device, string product, CancellationToken ct)
    {
        var deviceTags = HubOutput.Items(device?["tags"]).Select(t => t?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var groups = HubOutput.Items(await hub.GetAsync("/api/v1/deployments", "list deployment groups", ct))
            .Where(g => HubOutput.S(g, "product") == product)
            .OrderBy(g => HubOutput.S(g, "name"), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var tags = HubOutput.Items(group?["tags"]).Select(t => t?.GetValue<string>()).ToList();
            var tagged = tags.Count == 0 || (HubOutput.S(group, "tagMatch") == "any" ? tags.Any(deviceTags.Contains) : tags.All(deviceTags.Contains));
            if (!tagged)
            {
                continue;
            }

            var name = HubOutput.S(group, "name");
            var firmware = await hub.GetAsync($"/api/v1/firmware/{Uri.EscapeDataString(HubOutput.S(group, "firmwareUuid"))}", $"look up the firmware of group '{name}'", ct);
            if (firmware is not null && Matches(firmware))
            {
                return (firmware, $"deployment group '{name}'");
            }
        }

        return null;
    }

    private async Task<(JsonNode Firmware, string Why)?> NewestAsync(string product, CancellationToken ct)
    {
        var newest = HubOutput.Items(await hub.GetAsync($"/api/v1/firmware?product={Uri.EscapeDataString(product)}", $"list firmware of '{product}'", ct))
            .Where(f => f is not null && Matches(f))
            .Select(f => (Firmware: f!, Version: SemVersion.TryParse(HubOutput.S(f, "version"), SemVersionStyles.Strict, out var v) ? v : null))
            .Where(f => f.Version is not null)
            .OrderByDescending(f => f.Version!, SemVersion.PrecedenceComparer)
            .FirstOrDefault();
        return newest.Firmware is null ? null : (newest.Firmware, "newest published; no deployment group targets the device");
    }

    private bool Matches(JsonNode firmware) =>
        HubOutput.S(firmware, "platform") == platform && HubOutput.S(firmware, "architecture") == architecture;
}
