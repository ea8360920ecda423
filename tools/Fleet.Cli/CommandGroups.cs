using System.CommandLine;

namespace Fleet.Cli;

/// <summary>Every top-level command group. Each area adds its group here, built in its own file.</summary>
internal static class CommandGroups
{
    public static IEnumerable<Command> All()
    {
        yield return Keys.KeyCommands.Build();
        yield return Firmware.FirmwareCommands.Build();
        yield return Burn.BurnCommand.DeviceGroup();
    }
}
