using System.Formats.Tar;

namespace Fleet.Protocol.Packaging;

/// <summary>Unpacks a payload tar into an empty directory, refusing anything that could write outside it or
/// create something other than plain files, directories and inward symlinks. Symlink targets must be relative
/// without <c>..</c>: every link then points below its own directory, so no chain of links can leave the
/// destination. Never throws for bad input; on failure the destination holds a partial tree the caller discards.</summary>
public static class PayloadExtractor
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0b111_111_111;

    public static ExtractionResult Extract(Stream tar, string destination, ExtractionLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= ExtractionLimits.Default;
        var root = Path.GetFullPath(destination);
        try
        {
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
            {
                return Fail(ExtractionFailure.DestinationNotEmpty, $"{root} is not empty; extract into an empty directory");
            }

            Directory.CreateDirectory(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ExtractionFailure.WriteFailed, $"cannot create {root}: {ex.Message}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = 0;
        long bytes = 0;
        try
        {
            using var reader = new TarReader(tar, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (++entries > limits.MaxEntries)
                {
                    return Fail(ExtractionFailure.TooManyEntries, $"the payload has more than {limits.MaxEntries} entries");
                }

                var name = Normalise(entry.Name, limits, out var nameProblem);
                if (name is null)
                {
                    return Fail(ExtractionFailure.PathTraversal, $"entry '{Printable(entry.Name)}' {nameProblem}");
                }

                if (!seen.Add(name))
                {
                    return Fail(ExtractionFailure.DuplicateEntry, $"entry '{name}' appears twice");
                }

                var target = Path.Combine(root, name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        File.SetUnixFileMode(target, (entry.Mode & PermissionBits) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                        break;

                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        if (entry.Length > limits.MaxFileBytes)
                        {
                            return Fail(ExtractionFailure.TooLarge, $"entry '{name}' is {entry.Length} bytes; the limit is {limits.MaxFileBytes}");
                        }

                        bytes += entry.Length;
                        if (bytes > limits.MaxTotalBytes)
                        {
                            return Fail(ExtractionFailure.TooLarge, $"the payload unpacks to more than {limits.MaxTotalBytes} bytes");
                        }

                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        WriteFile(entry, target, cancellationToken);
                        break;

                    case TarEntryType.SymbolicLink:
                        var link = entry.LinkName;
                        if (link.Length == 0 || link.Contains('\0') || Path.IsPathRooted(link) || link.Split('/').Contains(".."))
                        {
                            return Fail(ExtractionFailure.LinkEscapes, $"symlink '{name}' points to '{Printable(link)}'; only relative targets without '..' are allowed");
                        }

                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        File.CreateSymbolicLink(target, link);
                        break;

                    case TarEntryType.HardLink:
                        return Fail(ExtractionFailure.LinkEscapes, $"hard link '{name}' is not allowed in a payload");

                    default:
                        return Fail(ExtractionFailure.UnsupportedEntry, $"entry '{name}' is a {entry.EntryType}; payloads hold only files, directories and symlinks");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            return Fail(ExtractionFailure.MalformedArchive, $"the payload is not a readable tar ({ex.Message})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ExtractionFailure.WriteFailed, $"unpacking into {root} failed: {ex.Message}");
        }

        return new ExtractionResult(ExtractionFailure.None, $"unpacked {entries} entries, {bytes} bytes", entries, bytes);
    }

    /// <summary>Relative path with '/' separators, or null with the reason.</summary>
    private static string? Normalise(string raw, ExtractionLimits limits, out string problem)
    {
        problem = "";
        if (raw.Length == 0 || raw.Length > limits.MaxPathLength || raw.Contains('\0') || raw.Contains('\\'))
        {
            problem = "has an empty, overlong or invalid name";
            return null;
        }

        if (raw.StartsWith('/'))
        {
            problem = "is an absolute path";
            return null;
        }

        var parts = raw.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            problem = "climbs out with '..'";
            return null;
        }

        if (parts.Length == 0)
        {
            problem = "names the destination itself";
            return null;
        }

        return string.Join('/', parts);
    }

    private static void WriteFile(TarEntry entry, string target, CancellationToken ct)
    {
        var mode = (entry.Mode & PermissionBits) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var output = new FileStream(target, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
            BufferSize = 0,
        });
        if (entry.DataStream is { } data)
        {
            // Copy at most the declared length: the tar reader bounds the data stream to it.
            data.CopyTo(output, 1 << 20);
        }

        ct.ThrowIfCancellationRequested();
        File.SetUnixFileMode(target, mode);
    }

    private static string Printable(string s) => new([.. s.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    private static ExtractionResult Fail(ExtractionFailure failure, string message) => new(failure, message);
}
