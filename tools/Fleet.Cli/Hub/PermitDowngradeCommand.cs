using System.CommandLine;
using Fleet.Cli.Keys;
using Fleet.Cli.Trust;
using Fleet.Protocol.Trust;
using Semver;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet firmware permit-downgrade --firmware UUID --replaces V[,V…] --expires 7d --key NAME|PATH</c>: signs a
/// <see cref="DowngradePermit"/> for a stored release with a firmware-signing key and POSTs it; the hub checks it against
/// the product's trust rules and the device checks it again before it installs the lower version.</summary>
internal static class PermitDowngradeCommand
{
    public static Command Build()
    {
        var firmware = new Option<string>("--firmware") { Description = "UUID of the stored release devices may go back to", Required = true };
        var replaces = new Option<string[]>("--replaces") { Description = "Installed version(s) it may replace, as written in their manifests (comma-separated or repeated)", Required = true };
        var expires = new Option<string>("--expires") { Description = "How long the permit holds, e.g. 7d (default 7d)", DefaultValueFactory = _ => "7d" };
        var key = new Option<string>("--key") { Description = "Firmware-signing key NAME or PATH; its scope must cover the devices", Required = true };
        var cmd = new Command("permit-downgrade", "Sign a downgrade permit for a release and store it on the hub") { firmware, replaces, expires, key };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var uuid = pr.GetValue(firmware)!;
            var versions = (pr.GetValue(replaces) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToList();
            if (versions.Count == 0)
            {
                throw new CliFailure("--replaces names no version; pass the installed version(s) the release may replace, e.g. --replaces 1.4.0,1.4.1");
            }

            var until = TrustDuration.From(DateTimeOffset.UtcNow, pr.GetValue(expires)!, "--expires");
            var signingKey = KeyFiles.LoadPrivate(pr.GetValue(key)!);
            using var hub = new HubClient(HubLogin.Resolve());
            var stored = await hub.GetAsync($"/api/v1/firmware/{Uri.EscapeDataString(uuid)}", $"read firmware {uuid}", ct);
            var product = HubOutput.S(stored, "product");
            var target = HubOutput.S(stored, "version");
            if (!SemVersion.TryParse(target, SemVersionStyles.Strict, out var targetVersion))
            {
                throw new CliFailure($"firmware {uuid} has version '{target}', which is not SemVer; check the hub version");
            }

            foreach (var v in versions)
            {
                if (!SemVersion.TryParse(v, SemVersionStyles.Strict, out var replaced))
                {
                    throw new CliFailure($"--replaces '{v}' is not a SemVer 2.0 version (e.g. 1.4.2)");
                }

                if (replaced.ComparePrecedenceTo(targetVersion) <= 0)
                {
                    throw new CliFailure($"--replaces {v} is not above {target} ({uuid}); a downgrade permit replaces higher versions only (installing {target} over {v} needs no permit)");
                }
            }

            // The permit does not build on the hub's trust metadata, but where this machine holds the product's trust
            // copy, a hub that disagrees with it is not trusted with a signature either.
            if (!TrustNames.IsSafeName(product))
            {
                throw new CliFailure($"the hub says firmware {uuid} is of product '{product}', which is not a product name; check the hub version");
            }

            var local = new LocalTrustCopy(CliPaths.TrustDir(product));
            if (local.HasRoot)
            {
                local.CheckAgainst(await HubTrust.FetchAsync(hub, product, ct));
            }

            var permit = new DowngradePermit(product, uuid, target, versions, until);
            var bytes = SignedEnvelope.Sign(permit.ToSigned(), [signingKey]);
            await hub.SendBytesAsync(HttpMethod.Post, $"/api/v1/firmware/{Uri.EscapeDataString(uuid)}/permits", bytes, $"store a downgrade permit for {product} {target}", ct);
            Console.WriteLine($"downgrade permit stored: {product} {target} ({uuid}) may replace {string.Join(", ", versions)} until {TrustDuration.Format(until)} (signed by {signingKey.KeyId})");
            return 0;
        });
        return cmd;
    }
}
