using System.CommandLine;

namespace Fleet.Cli.Firmware;

/// <summary><c>fleet firmware create|sign|verify|inspect</c>. Other areas add their subcommands (publish, list,
/// delete, build) to the returned command with <c>firmware.Subcommands.Add(...)</c> in <see cref="CommandGroups"/>.</summary>
internal static class FirmwareCommands
{
    /// <summary>Exit code for a bundle that was read but refused (bad signature, wrong hashes, ...).</summary>
    public const int VerificationFailedExitCode = 2;

    public static Command Build()
    {
        var firmware = new Command("firmware", "Signed firmware bundles (.fwb): create, sign, verify, inspect");
        firmware.Subcommands.Add(FirmwareCreateCommand.Build());
        firmware.Subcommands.Add(FirmwareSignCommand.Build());
        firmware.Subcommands.Add(FirmwareVerifyCommand.Build());
        firmware.Subcommands.Add(FirmwareInspectCommand.Build());
        return firmware;
    }
}
