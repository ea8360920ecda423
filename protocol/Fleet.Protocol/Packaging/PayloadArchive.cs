using System.Formats.Tar;

namespace Fleet.Protocol.Packaging;

/// <summary>Packs a directory as a deterministic tar: entries in ordinal path order, fixed timestamps, owner 0:0
/// with no names, modes normalised to 0755/0644. The same tree always gives the same bytes, hence the same
/// chunk hashes and uuid, whatever machine or umask built it.</summary>
public static class PayloadArchive
{
    private static readonly DateTimeOffset FixedTime = DateTimeOffset.UnixEpoch;
    private const UnixFileMode DirMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode ExecMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;
    private const UnixFileMode AnyExec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static async Task WriteDirectoryAsync(string directory, Stream output, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(directory);
        await using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var (relative, info) in Walk(root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = relative.Replace(Path.DirectorySeparatorChar, '/');
            GnuTarEntry entry;
            if (info.LinkTarget is { } target)
            {
                entry = new GnuTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };
                Normalise(entry, ExecMode);
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
            else if (info is DirectoryInfo)
            {
                entry = new GnuTarEntry(TarEntryType.Directory, name + "/");
                Normalise(entry, DirMode);
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
            else if (info is FileInfo file)
            {
                entry = new GnuTarEntry(TarEntryType.RegularFile, name);
                Normalise(entry, (file.UnixFileMode & AnyExec) != 0 ? ExecMode : FileMode);
                await using var data = new FileStream(file.FullName, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
        }
    }

    private static void Normalise(GnuTarEntry entry, UnixFileMode mode)
    {
        entry.Mode = mode;
        entry.ModificationTime = FixedTime;
        entry.AccessTime = FixedTime;
        entry.ChangeTime = FixedTime;
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = "";
        entry.GroupName = "";
    }

    /// <summary>Depth-first, ordinal order, symlinks recorded as links and never followed.</summary>
    private static IEnumerable<(string Relative, FileSystemInfo Info)> Walk(string root)
    {
        return Recurse(root, root);

        static IEnumerable<(string, FileSystemInfo)> Recurse(string root, string dir)
        {
            var children = new DirectoryInfo(dir).EnumerateFileSystemInfos()
                .OrderBy(i => i.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var child in children)
            {
                var relative = Path.GetRelativePath(root, child.FullName);
                yield return (relative, child);
                if (child is DirectoryInfo && child.LinkTarget is null)
                {
                    foreach (var nested in Recurse(root, child.FullName))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }
}
