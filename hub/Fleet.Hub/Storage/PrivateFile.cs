namespace Fleet.Hub.Storage;

/// <summary>Atomic file writes through <see cref="Fleet.Protocol.Files.AtomicFile"/> (temp file, fsync, rename,
/// fsync of the folder), with the folder created on demand. Secrets are created 0600 from the
/// first byte, so there is no moment when another user could read them.</summary>
internal static class PrivateFile
{
    public const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Public = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Fleet.Protocol.Files.AtomicFile.Write(path, content, mode);
    }

    public static void WriteAtomic(string path, string content, UnixFileMode mode) =>
        WriteAtomic(path, System.Text.Encoding.UTF8.GetBytes(content), mode);
}
