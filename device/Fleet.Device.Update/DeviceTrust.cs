using System.Text.Json;
using Fleet.Protocol.Files;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Trust;

namespace Fleet.Device.Update;

/// <summary>The device's trust store: the product's TUF root and targets, and its membership, under
/// <c>provisioning/trust/</c>. Only <see cref="TrustedMetadata"/> decides what is trusted; this class reads and
/// writes the files. A store that exists but does not verify trusts nothing (fail closed): it never falls back to
/// the legacy <c>trusted-keys/</c>.</summary>
public sealed class DeviceTrust(DeviceRoot root)
{
    private const string RootFile = "root.json";
    private const string TargetsFile = "targets.json";
    private const string MembershipFile = "membership.json";

    private string NextDir => root.TrustDir + ".next";

    private string PreviousDir => root.TrustDir + ".prev";

    /// <summary>True once the device has trust metadata (provisioned with it, or sent it by the hub).</summary>
    public bool Exists
    {
        get
        {
            Recover();
            return Directory.Exists(root.TrustDir);
        }
    }

    public TrustResult<TrustedMetadata> Load()
    {
        Recover();
        try
        {
            return TrustedMetadata.Load(File.ReadAllBytes(Path.Combine(root.TrustDir, RootFile)), File.ReadAllBytes(Path.Combine(root.TrustDir, TargetsFile)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.Malformed, $"{root.TrustDir} cannot be read ({ex.Message}); provision the device again (the hub cannot replace it)");
        }
    }

    public DeviceMembership Membership()
    {
        var path = Path.Combine(root.TrustDir, MembershipFile);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return new DeviceMembership(Strings(doc.RootElement, "tags"), Strings(doc.RootElement, "groups"));
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            return DeviceMembership.None;
        }
    }

    /// <summary>The store as provisioning writes it (the card, <c>fleet device provision</c>, tests): the first root
    /// and targets, verified against each other, and the device's tags from provisioning. The only way a device gets
    /// its first root.</summary>
    public TrustResult<TrustedMetadata> Provision(byte[] rootJson, byte[] targetsJson, DeviceMembership membership)
    {
        var loaded = TrustedMetadata.Load(rootJson, targetsJson);
        if (loaded.IsValid)
        {
            Save(loaded.Value!, membership);
        }

        return loaded;
    }

    /// <summary>Applies a <c>trust</c> command: every root newer than the trusted one must chain from it, the targets
    /// must verify and not go back, nothing expired. Fail closed: a device without a store takes a first root from the
    /// hub only when a key of its <c>trusted-keys/</c> endorses it (<see cref="TrustedMetadata.Adopt"/>), and refuses
    /// otherwise (<see cref="TrustFailure.NotProvisioned"/>), so the hub cannot choose whom it trusts; a damaged
    /// store is never re-anchored. The hub's groups are taken (group scopes rest
    /// on the hub's word); the tags stay those of provisioning, so a tag scope cannot be widened by the hub.</summary>
    /// <param name="product">The product the device runs (its running slot's manifest): a first root adopted over the
    /// air must name it.</param>
    public TrustResult<TrustedMetadata> Apply(TrustUpdate update, DateTimeOffset now, string? product = null)
    {
        List<byte[]> roots;
        byte[] targets;
        try
        {
            roots = [.. update.RootsBase64.Select(Convert.FromBase64String)];
            targets = Convert.FromBase64String(update.TargetsBase64);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentNullException or NullReferenceException)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.Malformed, "the trust command's roots or targets are not base64");
        }

        if (roots.Count == 0)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.Malformed, "the trust command carries no root");
        }

        if (!Exists)
        {
            // A tank provisioned before TUF: its first root must be endorsed by a key it trusts already. Its tags
            // on the device start empty (tag scopes rest on provisioning, which did not record them); groups come
            // from the hub as for every tank.
            var adopted = TrustedMetadata.Adopt(roots, targets, LegacyTrustedKeys.Load(root), product, now);
            if (adopted.IsValid)
            {
                Save(adopted.Value!, new DeviceMembership([], update.Groups ?? []));
            }

            return adopted;
        }

        var current = Load();
        if (!current.IsValid)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.NotProvisioned,
                $"the trust store cannot be used ({current.Message}); it is never replaced from the hub: provision the device again");
        }

        var next = current.Value!.Update(roots, targets, now);
        if (!next.IsValid)
        {
            return next;
        }

        Save(next.Value!, new DeviceMembership(Membership().Tags, update.Groups ?? []));
        return next;
    }

    /// <summary>Writes root, targets and membership into a fresh directory, then swaps it in with two renames, so a
    /// power cut leaves either the old or the new store whole: a new targets beside an old root (whose keys may not
    /// have signed it) would not verify, and the device would trust nothing until the next connect.</summary>
    private void Save(TrustedMetadata trust, DeviceMembership membership)
    {
        if (Directory.Exists(NextDir))
        {
            Directory.Delete(NextDir, recursive: true);
        }

        Directory.CreateDirectory(NextDir);
        AtomicFile.Write(Path.Combine(NextDir, RootFile), trust.Root.Raw, AtomicFile.PublicMode);
        AtomicFile.Write(Path.Combine(NextDir, TargetsFile), trust.Targets.Raw, AtomicFile.PublicMode);
        AtomicFile.Write(Path.Combine(NextDir, MembershipFile), JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, IReadOnlyList<string>>
        {
            ["tags"] = membership.Tags,
            ["groups"] = membership.Groups,
        }), AtomicFile.PublicMode);
        if (Directory.Exists(root.TrustDir))
        {
            Directory.Move(root.TrustDir, PreviousDir);
        }

        Directory.Move(NextDir, root.TrustDir);
        DirectorySync.Flush(root.ProvisioningDir);
        if (Directory.Exists(PreviousDir))
        {
            Directory.Delete(PreviousDir, recursive: true);
        }
    }

    /// <summary>Finishes a swap a power cut interrupted: the complete new store is promoted, a leftover old one dropped.</summary>
    private void Recover()
    {
        if (!Directory.Exists(root.TrustDir) && Directory.Exists(NextDir) && File.Exists(Path.Combine(NextDir, MembershipFile)))
        {
            Directory.Move(NextDir, root.TrustDir);
        }

        if (!Directory.Exists(root.TrustDir) && Directory.Exists(PreviousDir))
        {
            Directory.Move(PreviousDir, root.TrustDir);
        }

        if (Directory.Exists(root.TrustDir) && Directory.Exists(PreviousDir))
        {
            Directory.Delete(PreviousDir, recursive: true);
        }
    }

    private static string[] Strings(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
