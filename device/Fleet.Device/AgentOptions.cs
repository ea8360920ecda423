namespace Fleet.Device;

/// <summary>The agent's command line: <c>Fleet.Device [--root DIR] [--simulate]</c>.</summary>
public sealed record AgentOptions(string Root, bool Simulate)
{
    public const string DefaultRoot = "/var/lib/fleet";
    public const string Usage = "usage: Fleet.Device [--root DIR (default /var/lib/fleet)] [--simulate]";

    /// <summary>Null with a one-line reason on anything it does not understand.</summary>
    public static AgentOptions? TryParse(IReadOnlyList<string> args, out string? error)
    {
        var root = DefaultRoot;
        var simulate = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--simulate":
                    simulate = true;
                    break;
                case "--root" when i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    root = args[++i];
                    break;
                case "--root":
                    error = "--root needs a directory, e.g. --root /var/lib/fleet";
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'; {Usage}";
                    return null;
            }
        }

        error = null;
        return new AgentOptions(Path.GetFullPath(root), simulate);
    }
}
