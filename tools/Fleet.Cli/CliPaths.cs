namespace Fleet.Cli;

/// <summary>Where the CLI keeps the user's state: <c>$FLEET_CONFIG_DIR</c>, else <c>~/.config/fleet</c>
/// (XDG config dir). Keys live in <c>keys/</c>, the hub login in <c>hub.json</c>.</summary>
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

    public static string HubLogin => Path.Combine(ConfigDir, "hub.json");
}
