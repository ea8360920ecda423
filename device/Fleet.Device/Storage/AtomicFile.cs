namespace Fleet.Device.Storage;

/// <summary>The agent's state files: private (0600) by default and their folder created on demand, written with
/// <see cref="Fleet.Protocol.Files.AtomicFile"/> (temp file, fsync, rename, fsync of the directory), so a crash or
/// power cut leaves either the old or the new content, never a torn file.</summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = Fleet.Protocol.Files.AtomicFile.PrivateMode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Fleet.Protocol.Files.AtomicFile.Write(path, content, mode);
    }

    /// <summary>fsync on the directory makes a rename or deletion in it durable (ext4 may otherwise lose it).</summary>
    public static void SyncDirectory(string dir) => Fleet.Protocol.Files.DirectorySync.Flush(dir);
}
