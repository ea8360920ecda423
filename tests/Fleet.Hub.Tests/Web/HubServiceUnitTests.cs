using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>hub/packaging/fleet-hub.service passes systemd's own checker and keeps its sandbox. systemd-analyze
/// verify wants the ExecStart program to exist, so the test verifies a copy whose ExecStart names the dotnet that
/// runs the tests; everything else is the shipped file.</summary>
public sealed class HubServiceUnitTests
{
    private static string ShippedUnit => Path.Combine(RepoPaths.Root, "hub", "packaging", "fleet-hub.service");

    private const string ShippedDotnet = "/usr/bin/dotnet";

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "dotnet");

    [Fact]
    public async Task Systemd_analyze_verify_accepts_the_unit()
    {
        using var temp = new TempDir("fleet-hub-unit");
        var unit = temp.Combine("fleet-hub.service");
        var text = File.ReadAllText(ShippedUnit);
        Assert.Contains($"ExecStart={ShippedDotnet} /opt/fleet-hub/Fleet.Hub.dll ", text);
        File.WriteAllText(unit, text.Replace($"ExecStart={ShippedDotnet} ", $"ExecStart={Path.GetFullPath(Dotnet)} "));

        var result = await ProductProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.True(result.ExitCode == 0 && result.StandardError.Trim().Length == 0, result.ToString());
    }

    [Fact]
    public async Task Systemd_analyze_verify_reports_a_bad_setting()
    {
        // The check above can fail: systemd-analyze complains (on stderr) about a value it cannot parse.
        using var temp = new TempDir("fleet-hub-unit");
        var unit = temp.Combine("fleet-hub.service");
        File.WriteAllText(unit, File.ReadAllText(ShippedUnit)
            .Replace($"ExecStart={ShippedDotnet} ", $"ExecStart={Path.GetFullPath(Dotnet)} ")
            .Replace("ProtectSystem=strict", "ProtectSystem=mostly"));

        var result = await ProductProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.Contains("mostly", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Service", "User", "fleet-hub")]
    [InlineData("Service", "Group", "fleet-hub")]
    [InlineData("Service", "StateDirectory", "fleet-hub")]
    [InlineData("Service", "StateDirectoryMode", "0700")]
    [InlineData("Service", "UMask", "0077")]
    [InlineData("Service", "ProtectSystem", "strict")]
    [InlineData("Service", "ReadWritePaths", "/var/lib/fleet-hub")]
    [InlineData("Service", "ProtectHome", "yes")]
    [InlineData("Service", "PrivateTmp", "yes")]
    [InlineData("Service", "PrivateDevices", "yes")]
    [InlineData("Service", "NoNewPrivileges", "yes")]
    [InlineData("Service", "CapabilityBoundingSet", "")]
    [InlineData("Service", "AmbientCapabilities", "")]
    [InlineData("Service", "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK")]
    [InlineData("Service", "SystemCallFilter", "@system-service")]
    [InlineData("Service", "SystemCallArchitectures", "native")]
    [InlineData("Service", "RestrictSUIDSGID", "yes")]
    [InlineData("Install", "WantedBy", "multi-user.target")]
    public void The_unit_sets(string section, string key, string value)
    {
        Assert.Contains(value, UnitFile.Values(ShippedUnit, section, key));
    }

    [Fact]
    public void The_data_dir_is_the_state_directory_and_the_user_is_declared()
    {
        Assert.Contains("--data-dir /var/lib/fleet-hub", Assert.Single(UnitFile.Values(ShippedUnit, "Service", "ExecStart")), StringComparison.Ordinal);

        // The JIT needs writable+executable pages: MemoryDenyWriteExecute would stop the hub at start.
        Assert.Empty(UnitFile.Values(ShippedUnit, "Service", "MemoryDenyWriteExecute"));
        var sysusers = File.ReadAllLines(Path.Combine(RepoPaths.Root, "hub", "packaging", "fleet-hub.sysusers.conf")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Contains(sysusers, l => l.StartsWith("u fleet-hub ", StringComparison.Ordinal) && l.Contains("/var/lib/fleet-hub", StringComparison.Ordinal));
    }
}
