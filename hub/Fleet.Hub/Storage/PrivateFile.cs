namespace Fleet.Hub.Storage;

/// <summary>Atomic file writes: a temp file in the same folder, fsync, rename. Secrets are created 0600 from the
/// first byte, so there is no moment when another user could read them.</summary>
internal static class PrivateFile
{
    public const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Public = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = File.Open(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                f.Write(content);
                f.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void WriteAtomic(string path, string content, UnixFileMode mode) =>
        WriteAtomic(path, System.Text.Encoding.UTF8.GetBytes(content), mode);
}
