namespace Fleet.Cli.Keys;

/// <summary>Refuses a private key file that other users can read or change, before the key is used: a key others
/// could copy may already be someone else's, and signing with it would hide that.</summary>
internal static class PrivateKeyMode
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void Check(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"cannot read the mode of private key {path}: {ex.Message}");
        }

        if ((mode & GroupOrOther) != 0)
        {
            throw new CliFailure($"private key {path} is accessible to other users (mode {Octal(mode)}); run 'chmod 600 {path}' and try again " +
                "(if others could have copied it, replace the key and revoke the old one with 'fleet trust revoke-key')");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}
