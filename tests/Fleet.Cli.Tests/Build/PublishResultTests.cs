using Fleet.Cli.Firmware.Build;

namespace Fleet.Cli.Tests.Build;

/// <summary>The one line a failed publish becomes, from the MSBuild output the publisher collected.</summary>
public sealed class PublishResultTests
{
    // Lines as this workplace's NuGet sources printed them for `--architecture arm` (no linux-arm runtime served).
    private static readonly string[] MissingArmPack =
    [
        "/src/protocol/Fleet.Protocol/Fleet.Protocol.csproj : error NU1101: Unable to find package Microsoft.NETCore.App.Runtime.linux-arm. No packages exist with this id in source(s): nuget.org",
        "/src/protocol/Fleet.Protocol/Fleet.Protocol.csproj : error NU1101: Unable to find package Microsoft.NETCore.App.Host.linux-arm. No packages exist with this id in source(s): nuget.org",
    ];

    [Fact]
    public void A_missing_runtime_pack_says_the_runtime_is_not_available_rather_than_quoting_nuget()
    {
        var result = new PublishResult(1, MissingArmPack, string.Join('\n', MissingArmPack));

        var line = result.Describe("/src/device/Fleet.Device/Fleet.Device.csproj", "linux-arm", "/tmp/x/publish.log");

        Assert.Contains("the .NET runtime for linux-arm (Microsoft.NETCore.App.Runtime.linux-arm) is not available from your NuGet sources", line);
        Assert.Contains("full log in /tmp/x/publish.log", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void A_missing_pack_for_another_runtime_is_not_mistaken_for_this_one()
    {
        var result = new PublishResult(1, MissingArmPack, string.Join('\n', MissingArmPack));

        var line = result.Describe("/src/device/Fleet.Device/Fleet.Device.csproj", "linux-arm64", "/tmp/x/publish.log");

        Assert.DoesNotContain("is not available from your NuGet sources", line);
        Assert.Contains("error NU1101: Unable to find package Microsoft.NETCore.App.Runtime.linux-arm.", line);
    }

    [Fact]
    public void Without_error_lines_the_last_lines_of_output_are_quoted()
    {
        var result = new PublishResult(137, [], "  Determining projects to restore...\n  Restored a.csproj\n  Killed\n");

        var line = result.Describe("a.csproj", "linux-x64", "/tmp/x/publish.log");

        Assert.Contains("failed (exit 137): Determining projects to restore... | Restored a.csproj | Killed;", line);
    }
}
