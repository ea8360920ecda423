namespace Fleet.Protocol.Files;

/// <summary>The one way Fleet writes a file that must never be seen half-written: temp file in the same directory,
/// fsync, rename, fsync the directory. The mode is always the caller's decision (<see cref="PrivateMode"/> for keys,
/// tokens and state, <see cref="PublicMode"/> for certificates, metadata and bundles), and the temp file is created
/// with it, so a secret is never readable by others, not even for a moment.</summary>
public static class AtomicFile
{
    /// <summary>0600: secrets and state files.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0644: what others may read (certificates, public keys, trust metadata, bundles).</summary>
    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> with <paramref name="mode"/>. Without
    /// <paramref name="overwrite"/> an existing file is an <see cref="IOException"/> and stays untouched. With
    /// <paramref name="createDirectory"/> a missing parent folder is created first (0700 when
    /// <paramref name="mode"/> is private, else 0755).</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool overwrite = true, bool createDirectory = false)
    {
        PrepareDirectory(path, mode, createDirectory);
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

    /// <summary><see cref="Write(string, ReadOnlySpan{byte}, UnixFileMode, bool, bool)"/> of UTF-8 text.</summary>
    public static void WriteText(string path, string content, UnixFileMode mode, bool overwrite = true, bool createDirectory = false) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(content), mode, overwrite, createDirectory);

    /// <summary>Lets <paramref name="write"/> fill a temp file next to <paramref name="path"/>, then renames it
    /// into place. If <paramref name="write"/> throws, nothing at <paramref name="path"/> changes.</summary>
    public static async Task WriteAsync(string path, Func<FileStream, Task> write, UnixFileMode mode, bool overwrite = true, bool createDirectory = false)
    {
        PrepareDirectory(path, mode, createDirectory);
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

    private static void PrepareDirectory(string path, UnixFileMode mode, bool createDirectory)
    {
        if (!createDirectory)
        {
            return;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Directory.Exists(dir))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
            return;
        }

        var dirMode = (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(dir, dirMode);
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
