using System.Text;

namespace Fleet.Cli.Keys;

/// <summary>Reads a secret file (a private key, a token file) only if no other user can read or change it: a key
/// others could copy may already be someone else's, and signing with it would hide that. The file is opened first
/// and the mode checked on the open handle (fstat), so a file swapped between the check and the read is never
/// used; the folder holding it must not be writable by others either, or the file could be replaced at will.</summary>
internal static class PrivateKeyMode
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>A private key file's text, or a <see cref="CliFailure"/> saying which mode to fix.</summary>
    public static string ReadKey(string path) =>
        ReadPrivate(path, "private key",
            "(if others could have copied it, replace the key and revoke the old one with 'fleet trust revoke-key')");

    /// <summary>The text of a secret file that is not a key (<c>fleet login --token-file</c>).</summary>
    public static string ReadPrivate(string path, string what, string afterwards)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }

        // The folder of the path given and, for a link, of the file it leads to: whoever can write either can swap the key.
        foreach (var dir in FoldersOf(path, what))
        {
            UnixFileMode dirMode;
            try
            {
                dirMode = File.GetUnixFileMode(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure($"cannot read the mode of {dir}, which holds {what} {path}: {ex.Message}");
            }

            if ((dirMode & GroupOrOtherWrite) != 0)
            {
                throw new CliFailure($"{what} {path} is in {dir}, which other users can write to (mode {Octal(dirMode)}), so they could replace it; " +
                    $"run 'chmod go-w {dir}' or move the file to a folder only you can write to, and try again {afterwards}");
            }
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var mode = File.GetUnixFileMode(handle);
            if ((mode & GroupOrOther) != 0)
            {
                throw new CliFailure($"{what} {path} is accessible to other users (mode {Octal(mode)}); run 'chmod 600 {path}' and try again {afterwards}");
            }

            using var stream = new FileStream(handle, FileAccess.Read);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliFailure($"{what} {path} does not exist: check the path");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"cannot read {what} {path}: {ex.Message}");
        }
    }

    private static IEnumerable<string> FoldersOf(string path, string what)
    {
        var full = Path.GetFullPath(path);
        var folders = new List<string> { Path.GetDirectoryName(full)! };
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
            {
                folders.Add(Path.GetDirectoryName(target.FullName)!);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Opening it says so, in one place.
        }
        catch (IOException ex)
        {
            throw new CliFailure($"cannot follow {what} {path}: {ex.Message}");
        }

        return folders.Distinct(StringComparer.Ordinal);
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}
