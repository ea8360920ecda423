namespace Fleet.Cli;

/// <summary>Where the CLI keeps the user's state: <c>$FLEET_CONFIG_DIR</c>, else <c>~/.config/fleet</c>
/// (XDG config dir). Keys live in <c>keys/</c>, root keys in <c>root-keys/</c>, trust metadata in <c>trust/PRODUCT/</c>, the hub login in <c>hub.json</c>.</summary>
internal static class CliPaths
{
    public static string ConfigDir
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("FLEET_CONFIG_DIR");
            if (!string.IsNullOrWhiteSpace(overridden))
            {
                return overridden;
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "fleet");
        }
    }

    public static string KeysDir => Path.Combine(ConfigDir, "keys");

    /// <summary>Offline root keys (<c>fleet keys root create</c>); keep them on removable media with <c>--dir</c>.</summary>
    public static string RootKeysDir => Path.Combine(ConfigDir, "root-keys");

    /// <summary>The last trust metadata this machine signed and the hub accepted, per product.</summary>
    public static string TrustDir(string product) => Path.Combine(ConfigDir, "trust", product);

    public static string HubLogin => Path.Combine(ConfigDir, "hub.json");
}
