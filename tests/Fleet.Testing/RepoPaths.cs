using System.Reflection;

namespace Fleet.Testing;

/// <summary>Finds the repository and the built product programs, in the configuration the tests were built with,
/// so tests start the real hub, agent and CLI as processes.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, taken from the test assembly's own output path.</summary>
    public static string Configuration { get; } =
        (Assembly.GetExecutingAssembly().Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            ? "Release" : "Debug";

    public static string HubDll => ProductDll("hub/Fleet.Hub", "Fleet.Hub.dll");
    public static string DeviceDll => ProductDll("device/Fleet.Device", "Fleet.Device.dll");
    public static string CliDll => ProductDll("tools/Fleet.Cli", "fleet.dll");
    public static string FleetBoot => Path.Combine(Root, "device", "fleet-boot");

    public static string ProductDll(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is not built; run 'dotnet build Fleet.sln -c {Configuration}' first", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Fleet.sln not found above " + AppContext.BaseDirectory);
    }
}
