using System.Numerics;
using Semver;

namespace Fleet.Cli.Firmware.Build;

/// <summary>The MSBuild properties that stamp a SemVer version into the agent, so the running program reports the
/// same version as the manifest (<c>Fleet.Device --version</c> prints the informational version).</summary>
internal static class VersionStamp
{
    /// <summary>AssemblyVersion and FileVersion are four 16-bit numbers; the last one is kept for 0.</summary>
    private static readonly BigInteger MaxPart = ushort.MaxValue - 1;

    public static IReadOnlyList<string> Properties(SemVersion version)
    {
        if (version.Major > MaxPart || version.Minor > MaxPart || version.Patch > MaxPart)
        {
            throw new CliFailure($"version {version} in --version has a part above {MaxPart}, which .NET assembly versions cannot hold: use smaller numbers");
        }

        var text = version.ToString();
        var numeric = $"{version.Major}.{version.Minor}.{version.Patch}.0";
        return
        [
            // Version carries the prerelease (1.2.3-rc.1); the numeric forms drop it, as assembly versions must.
            $"-p:Version={text}",
            $"-p:InformationalVersion={text}",
            $"-p:AssemblyVersion={numeric}",
            $"-p:FileVersion={numeric}",
            // Otherwise the SDK appends "+<git commit>" and the agent would report a version the manifest does not have.
            "-p:IncludeSourceRevisionInInformationalVersion=false",
        ];
    }
}
