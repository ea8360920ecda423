namespace Fleet.Cli.Demo;

/// <summary>Where the demo finds the hub and fleet-boot: the checkout this CLI runs from (or the one above the
/// working directory), in the configuration this CLI was built with.</summary>
internal sealed record DemoLayout(string Root, string Configuration)
{
    public string HubProject => Path.Combine(Root, "hub", "Fleet.Hub", "Fleet.Hub.csproj");
    public string HubDll => Path.Combine(Root, "hub", "Fleet.Hub", "bin", Configuration, "net10.0", "Fleet.Hub.dll");
    public string FleetBoot => Path.Combine(Root, "device", "fleet-boot");
    public string AgentProject => Path.Combine(Root, "device", "Fleet.Device", "Fleet.Device.csproj");

    public static DemoLayout Find()
    {
        var root = Above(AppContext.BaseDirectory) ?? Above(Environment.CurrentDirectory)
            ?? throw new CliFailure("fleet demo runs from a Fleet checkout: no Fleet.sln above this program or the working directory; run it as 'dotnet run --project tools/Fleet.Cli -- demo' in the repository");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return new DemoLayout(root, configuration);
    }

    private static string? Above(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
