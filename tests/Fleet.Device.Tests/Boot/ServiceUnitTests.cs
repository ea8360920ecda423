using Fleet.Testing;

namespace Fleet.Device.Tests.Boot;

/// <summary>device/packaging/fleet-agent.service passes systemd's own checker and keeps the settings the agent
/// relies on. systemd-analyze verify wants the ExecStart program to exist, so the test verifies a copy whose
/// ExecStart points at the repository's fleet-boot; everything else is the shipped file.</summary>
public sealed class ServiceUnitTests
{
    private static string ShippedUnit => Path.Combine(RepoPaths.Root, "device", "packaging", "fleet-agent.service");

    [Fact]
    public async Task Systemd_analyze_verify_accepts_the_unit()
    {
        using var temp = new TempDir("fleet-unit");
        var unit = temp.Combine("fleet-agent.service");
        var text = File.ReadAllText(ShippedUnit);
        Assert.Contains("ExecStart=/usr/local/sbin/fleet-boot ", text);
        File.WriteAllText(unit, text.Replace("/usr/local/sbin/fleet-boot", RepoPaths.FleetBoot));

        var result = await ProductProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.True(result.ExitCode == 0 && result.StandardError.Trim().Length == 0, result.ToString());
    }

    [Fact]
    public async Task Systemd_analyze_verify_rejects_the_unit_when_fleet_boot_is_not_installed()
    {
        using var temp = new TempDir("fleet-unit");
        var unit = temp.Combine("fleet-agent.service");
        File.WriteAllText(unit, File.ReadAllText(ShippedUnit).Replace("/usr/local/sbin/fleet-boot", temp.Combine("missing", "fleet-boot")));

        var result = await ProductProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Theory]
    [InlineData("Service", "Type", "notify")]
    [InlineData("Service", "ExecStart", "/usr/local/sbin/fleet-boot --root /var/lib/fleet")]
    [InlineData("Service", "Restart", "always")]
    [InlineData("Service", "WatchdogSec", "30")]
    [InlineData("Service", "NotifyAccess", "main")]
    [InlineData("Service", "ProtectSystem", "strict")]
    [InlineData("Service", "ReadWritePaths", "/var/lib/fleet")]
    [InlineData("Service", "PrivateTmp", "yes")]
    [InlineData("Service", "NoNewPrivileges", "yes")]
    [InlineData("Service", "ProtectHome", "yes")]
    [InlineData("Service", "SupplementaryGroups", "gpio i2c")]
    [InlineData("Service", "DevicePolicy", "closed")]
    [InlineData("Service", "DeviceAllow", "char-i2c rw")]
    [InlineData("Service", "DeviceAllow", "char-gpiochip rw")]
    [InlineData("Unit", "StartLimitIntervalSec", "0")]
    [InlineData("Install", "WantedBy", "multi-user.target")]
    public void The_unit_sets(string section, string key, string value)
    {
        Assert.Contains(value, UnitFile.Values(ShippedUnit, section, key));
    }

    [Fact]
    public void The_unit_keeps_the_hardware_reachable()
    {
        // PrivateDevices would hide /dev/i2c-* and /dev/gpiochip*; PrivateUsers would map the gpio and i2c
        // groups to nobody. Either silently cuts the tank off its sensors.
        Assert.Empty(UnitFile.Values(ShippedUnit, "Service", "PrivateDevices"));
        Assert.Empty(UnitFile.Values(ShippedUnit, "Service", "PrivateUsers"));
    }
}
