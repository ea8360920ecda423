using Fleet.Protocol.Files;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>This machine's copy of what it last signed and the hub accepted (<c>root.json</c>, every <c>N.root.json</c>,
/// <c>targets.json</c>). It is written only after the hub took the new files, and compared with the hub before the next
/// signature: a hub that serves older or other metadata than we signed is refused rather than built upon.</summary>
internal sealed class LocalTrustCopy(string directory)
{
    private const string RootFile = "root.json";
    private const string TargetsFile = "targets.json";

    public string Directory { get; } = directory;

    public bool HasRoot => File.Exists(Path.Combine(Directory, RootFile));

    /// <summary>Refuses when the hub is behind this copy or disagrees with it: every root here (<c>N.root.json</c> and
    /// <c>root.json</c>) must be in the hub's chain byte for byte, at its version, so the hub's chain starts from this
    /// copy's roots and only goes on from them; and the hub's targets must not be older than, or unlike, this copy's.</summary>
    public void CheckAgainst(HubTrust hub)
    {
        if (HasRoot)
        {
            var local = Read(RootFile);
            var version = Version(local, RootFile);
            var served = hub.Root is null ? "no root" : $"root v{hub.Root.Version}";
            if (!Matches(hub, version, local))
            {
                throw new CliFailure($"the hub serves {served} for '{hub.Product}', which does not match root v{version} in {Directory}; " +
                    "the hub lost or replaced metadata: PUT the files in that directory back (see docs/trust.md), or pass --dir for another copy");
            }

            for (var v = 1L; v < version; v++)
            {
                var name = $"{v}.root.json";
                if (File.Exists(Path.Combine(Directory, name)) && !Matches(hub, v, Read(name)))
                {
                    throw new CliFailure($"the hub serves a root v{v} for '{hub.Product}' unlike {Path.Combine(Directory, name)}; " +
                        "the hub lost or replaced metadata: PUT the files in that directory back (see docs/trust.md), or pass --dir for another copy");
                }
            }
        }

        if (File.Exists(Path.Combine(Directory, TargetsFile)))
        {
            var local = Read(TargetsFile);
            var version = Version(local, TargetsFile);
            var served = hub.TargetsVersion;
            if (version > served || (version == served && !hub.TargetsFile!.AsSpan().SequenceEqual(local)))
            {
                throw new CliFailure($"the hub serves targets v{served} for '{hub.Product}', behind or unlike targets v{version} in {Directory}; " +
                    "the hub lost or replaced metadata: PUT that targets.json back (see docs/trust.md), or pass --dir for another copy");
            }
        }
    }

    private static bool Matches(HubTrust hub, long version, byte[] local) =>
        version <= hub.RootFiles.Count && hub.RootFiles[(int)version - 1].AsSpan().SequenceEqual(local);

    /// <summary>Writes the accepted files, each atomically (0644: metadata is public).</summary>
    public void Save(IReadOnlyList<byte[]> roots, byte[]? targets)
    {
        System.IO.Directory.CreateDirectory(Directory);
        for (var i = 0; i < roots.Count; i++)
        {
            AtomicFile.Write(Path.Combine(Directory, $"{i + 1}.root.json"), roots[i], AtomicFile.PublicMode);
        }

        if (roots.Count > 0)
        {
            AtomicFile.Write(Path.Combine(Directory, RootFile), roots[^1], AtomicFile.PublicMode);
        }

        if (targets is not null)
        {
            AtomicFile.Write(Path.Combine(Directory, TargetsFile), targets, AtomicFile.PublicMode);
        }
    }

    public string Describe()
    {
        if (!HasRoot)
        {
            return $"{Directory} (empty)";
        }

        var root = Version(Read(RootFile), RootFile);
        var targets = File.Exists(Path.Combine(Directory, TargetsFile)) ? $", targets v{Version(Read(TargetsFile), TargetsFile)}" : "";
        return $"{Directory} (root v{root}{targets})";
    }

    private byte[] Read(string name)
    {
        try
        {
            return File.ReadAllBytes(Path.Combine(Directory, name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"cannot read {Path.Combine(Directory, name)}: {ex.Message}");
        }
    }

    private long Version(byte[] json, string name)
    {
        try
        {
            return SignedEnvelope.Parse(json, name).Signed["version"]?.GetValue<long>() is { } v and >= 1 ? v : throw new TrustFormatException("no version");
        }
        catch (Exception ex) when (ex is TrustFormatException or InvalidOperationException or FormatException)
        {
            throw new CliFailure($"{Path.Combine(Directory, name)} is not trust metadata ({ex.Message}); move it away or pass --dir");
        }
    }
}
