using System.Globalization;

namespace Fleet.Bench.Load;

/// <summary>The options the hub scenarios share: <c>--name value</c> pairs, the hub's environment and its build.</summary>
internal static class BenchArgs
{
    public static int Int(IReadOnlyList<string> args, string name, int fallback)
    {
        var value = String(args, name);
        return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
    }

    public static string? String(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    /// <summary>Runtime settings for the hub process, e.g. <c>--hub-env DOTNET_gcServer=0</c> (repeatable).</summary>
    public static Dictionary<string, string> HubEnvironment(IReadOnlyList<string> args)
    {
        var environment = new Dictionary<string, string>();
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--hub-env" && args[i + 1].Split('=', 2) is [var name, var value])
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    /// <summary>--hub-dll, else the Release build of hub/Fleet.Hub, else its Debug build.</summary>
    public static string HubDll(IReadOnlyList<string> args)
    {
        if (String(args, "--hub-dll") is { } given)
        {
            return given;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? ".";
        var release = Path.Combine(root, "hub/Fleet.Hub/bin/Release/net10.0/Fleet.Hub.dll");
        return File.Exists(release) ? release : Path.Combine(root, "hub/Fleet.Hub/bin/Debug/net10.0/Fleet.Hub.dll");
    }
}
