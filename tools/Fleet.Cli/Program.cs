using System.CommandLine;
using Fleet.Cli;

var root = new RootCommand("fleet: signed firmware, devices and deployments for Raspberry Pi grow tanks");
foreach (var group in CommandGroups.All())
{
    root.Subcommands.Add(group);
}

return await CliRunner.RunAsync(root, args);
