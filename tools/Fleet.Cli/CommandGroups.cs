using System.CommandLine;

namespace Fleet.Cli;

/// <summary>Every top-level command group. Each area adds its group here, built in its own file.</summary>
internal static class CommandGroups
{
    public static IEnumerable<Command> All()
    {
        var keys = Keys.KeyCommands.Build();
        keys.Subcommands.Add(Hub.KeyRegisterCommand.Build());
        yield return keys;
        var firmware = Firmware.FirmwareCommands.Build();
        firmware.Subcommands.Add(Firmware.Build.FirmwareBuildCommand.Build());
        foreach (var command in Hub.FirmwareHubCommands.Build())
        {
            firmware.Subcommands.Add(command);
        }

        yield return firmware;
        yield return Trust.TrustCommands.Build();
        yield return Hub.LoginCommand.Build();
        yield return Hub.UserCommands.Build();
        yield return Hub.ProductCommands.Build();
        yield return Hub.DeploymentCommands.Build();
        var device = Hub.DeviceCommands.Build();
        device.Subcommands.Add(Burn.BurnCommand.Create());
        yield return device;
        yield return Demo.DemoCommand.Build();
    }
}
