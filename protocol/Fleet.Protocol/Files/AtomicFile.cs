namespace Fleet.Protocol.Files;

/// <summary>Writes a file so readers see either the old content or the new, never half of it:
/// temp file in the same directory, fsync, rename, fsync the directory. Private files are created
/// with mode 0600 from the first byte, so a key is never readable by others, even briefly.</summary>
public static class AtomicFile
{
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>. Without <paramref name="overwrite"/>
    /// an existing file is an <see cref="IOException"/> and stays untouched.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = PublicMode, bool overwrite = true)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = CreateNew(temp, mode))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            Commit(temp, path, overwrite);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Lets <paramref name="write"/> fill a temp file next to <paramref name="path"/>, then renames it
    /// into place. If <paramref name="write"/> throws, nothing at <paramref name="path"/> changes.</summary>
    public static async Task WriteAsync(string path, Func<FileStream, Task> write, UnixFileMode mode = PublicMode, bool overwrite = true)
    {
        var temp = TempPathFor(path);
        try
        {
            await using (var stream = CreateNew(temp, mode))
            {
                await write(stream);
                stream.Flush(flushToDisk: true);
            }

            Commit(temp, path, overwrite);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A hidden temp name in the target's directory (rename is atomic only within one filesystem).</summary>
    public static string TempPathFor(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static FileStream CreateNew(string path, UnixFileMode mode) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            UnixCreateMode = mode,
            BufferSize = 64 * 1024,
        });

    private static void Commit(string temp, string path, bool overwrite)
    {
        // Move without overwrite fails if the target appeared meanwhile: an existing key is never replaced by accident.
        File.Move(temp, path, overwrite);
        FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    private static void FsyncDirectory(string dir)
    {
        // Best effort: some filesystems cannot fsync a directory; the rename itself has happened either way.
        _ = DirectorySync.Flush(dir);
    }
}
