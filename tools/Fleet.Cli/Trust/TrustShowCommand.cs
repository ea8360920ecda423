using System.CommandLine;
using System.Text.Json.Nodes;
using Fleet.Cli.Hub;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary><c>fleet trust show --product P [--json]</c>: the hub's current metadata, checked as <c>fleet trust</c>
/// checks it before signing (against this machine's trust copy when there is one: a hub that disagrees is refused), with
/// key names taken from the .pub files on this machine, and the SHA-256 of the latest root.json that
/// <c>--trust-root-sha256</c> takes on machines without the copy.</summary>
internal static class TrustShowCommand
{
    public static Command Build()
    {
        var product = TrustCommands.ProductOption();
        var dir = TrustCommands.DirOption();
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("show", "Show a product's trust metadata: versions, expiry, root keys, and each scope's signing keys") { product, dir, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var name = TrustCommands.Product(pr, product);
            using var hub = new HubClient(HubLogin.Resolve());
            var state = await HubTrust.FetchAsync(hub, name, ct);
            var local = TrustCommands.Local(pr, product, dir);
            // Never print a hash to pin from a hub that disagrees with the copy here.
            local.CheckAgainst(state);
            var names = KeyReference.KnownNames();
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(Json(state, names)));
                return 0;
            }

            if (state.Root is not { } root)
            {
                Console.WriteLine($"{name}: no trust metadata on the hub (devices use registered keys); create it with 'fleet trust init --product {name} --root-key NAME'");
                return 0;
            }

            Console.WriteLine($"{name}");
            Console.WriteLine($"  root v{root.Version}, expires {When(root.Expires)}");
            Console.WriteLine($"    sha256 {state.RootSha256}" + (local.HasRoot ? " (matches the local copy)" : " (NOT checked: no local trust copy here; pin only a hash shown on the machine that holds it)"));
            foreach (var role in TufRoles.TopLevel)
            {
                var keys = root.Role(role);
                var who = role is TufRoles.Snapshot or TufRoles.Timestamp && keys.KeyIds.SequenceEqual([TufKey.From(state.OnlineKey).KeyId])
                    ? "the hub's online key"
                    : string.Join(", ", keys.KeyIds.Select(id => Describe(id, names)));
                Console.WriteLine($"    {role,-10} threshold {keys.Threshold}: {who}");
            }

            if (state.StaleTargetsVersion is { } stale)
            {
                Console.WriteLine($"  targets v{stale}: NOT signed by the targets keys of root v{root.Version}, so devices on that root do not accept it; re-issue with 'fleet trust add-key --product {name} --key NAME --scope SCOPE --reissue'");
            }
            else if (state.Targets is not { } targets)
            {
                Console.WriteLine("  targets: none yet");
            }
            else
            {
                Console.WriteLine($"  targets v{targets.Version}, expires {When(targets.Expires)}");
                if (targets.Delegations.Count == 0)
                {
                    Console.WriteLine("    no signing key is trusted anywhere");
                }

                foreach (var role in targets.Delegations)
                {
                    var scope = TrustScope.FromRole(role)?.ToString() ?? $"{role.Name} ({role.DescribePaths()})";
                    Console.WriteLine($"    scope {scope} (threshold {role.Keys.Threshold}): {string.Join(", ", role.Keys.KeyIds.Select(id => Describe(targets.DelegationKeys[id], names)))}");
                }
            }

            Console.WriteLine($"  local copy: {local.Describe()}");
            return 0;
        });
        return cmd;
    }

    private static string When(DateTimeOffset at)
    {
        var left = at - DateTimeOffset.UtcNow;
        return $"{TrustDuration.Format(at)} ({(left <= TimeSpan.Zero ? "EXPIRED" : $"in {(int)left.TotalDays} days")})";
    }

    private static string Describe(string keyId, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(keyId, out var n) ? $"{n} ({TrustSigners.Short(keyId)})" : TrustSigners.Short(keyId);

    private static string Describe(TufKey key, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(key.KeyId, out var n) ? $"{n} ({key.FleetKeyId})" : key.FleetKeyId;

    private static JsonObject Json(HubTrust state, IReadOnlyDictionary<string, string> names)
    {
        var o = new JsonObject { ["product"] = state.Product };
        if (state.Root is { } root)
        {
            var roles = new JsonObject();
            foreach (var role in TufRoles.TopLevel)
            {
                roles[role] = new JsonObject { ["threshold"] = root.Role(role).Threshold, ["keyIds"] = HubOutput.Strings(root.Role(role).KeyIds) };
            }

            o["root"] = new JsonObject { ["version"] = root.Version, ["expires"] = TrustDuration.Format(root.Expires), ["sha256"] = state.RootSha256, ["roles"] = roles };
        }

        if (state.Targets is { } targets)
        {
            var scopes = new JsonArray();
            foreach (var role in targets.Delegations)
            {
                var keys = new JsonArray();
                foreach (var id in role.Keys.KeyIds)
                {
                    keys.Add(new JsonObject { ["keyId"] = targets.DelegationKeys[id].FleetKeyId, ["tufKeyId"] = id, ["name"] = names.TryGetValue(id, out var n) ? n : null });
                }

                scopes.Add(new JsonObject { ["scope"] = TrustScope.FromRole(role)?.ToString() ?? role.Name, ["threshold"] = role.Keys.Threshold, ["keys"] = keys });
            }

            o["targets"] = new JsonObject { ["version"] = targets.Version, ["expires"] = TrustDuration.Format(targets.Expires), ["scopes"] = scopes };
        }
        else if (state.StaleTargetsVersion is { } stale)
        {
            o["targets"] = new JsonObject { ["version"] = stale, ["current"] = false };
        }

        return o;
    }
}
