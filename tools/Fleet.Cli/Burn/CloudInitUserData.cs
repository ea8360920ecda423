namespace Fleet.Cli.Burn;

/// <summary>The first-boot hook: Raspberry Pi OS images since 2 October 2025 (Trixie) run cloud-init, which reads
/// <c>user-data</c> from the boot partition (mounted at /boot/firmware) on first boot. We add one <c>runcmd</c>
/// entry that runs install.sh from the card, keeping everything else the image or the user put there.
/// Older images (Bookworm and before) have no cloud-init and used firstrun.sh through cmdline.txt; they are refused.</summary>
internal static class CloudInitUserData
{
    public const string FileName = "user-data";

    public const string InstallCommand =
        "[sh, /boot/firmware/fleet/install.sh, --from, /boot/firmware/fleet, --remove-source]";

    private const string Marker = "# fleet: install the Fleet agent on first boot";

    /// <summary>The image's user-data with the install command added (once); <paramref name="existing"/> null means
    /// the image has no cloud-init, which this burner cannot configure.</summary>
    public static string AddInstallCommand(string? existing, string imageName)
    {
        if (existing is null)
        {
            throw new CliFailure($"image '{imageName}' has no cloud-init user-data on its boot partition; use Raspberry Pi OS from 2025-10-01 or later (Trixie, with cloud-init). Older images that use firstrun.sh are not supported");
        }

        var text = existing.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (text.Contains(InstallCommand, StringComparison.Ordinal))
        {
            return text;
        }

        var lines = text.Split('\n').ToList();
        var firstContent = lines.FirstOrDefault(l => l.Trim().Length > 0);
        if (firstContent is null)
        {
            lines = ["#cloud-config"];
        }
        else if (firstContent.Trim() != "#cloud-config")
        {
            throw new CliFailure($"image '{imageName}': user-data is not a #cloud-config document (it starts with '{firstContent.Trim()}'); restore the image's own user-data");
        }

        var runcmd = lines.FindIndex(l => l.StartsWith("runcmd:", StringComparison.Ordinal));
        if (runcmd < 0)
        {
            while (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            lines.Add(string.Empty);
            lines.Add(Marker);
            lines.Add("runcmd:");
            lines.Add("  - " + InstallCommand);
            lines.Add(string.Empty);
            return string.Join('\n', lines);
        }

        if (lines[runcmd].TrimEnd() != "runcmd:")
        {
            throw new CliFailure($"image '{imageName}': user-data has an inline runcmd ('{lines[runcmd].Trim()}'); write it as a block list ('runcmd:' then '  - ...' lines) and burn again");
        }

        // Match the indentation of the existing list: items of one YAML sequence must line up.
        var next = lines.Skip(runcmd + 1).FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        var indent = next is not null && next.TrimStart().StartsWith("- ", StringComparison.Ordinal)
            ? next[..(next.Length - next.TrimStart().Length)]
            : "  ";
        lines.Insert(runcmd + 1, indent + "- " + InstallCommand);
        lines.Insert(runcmd, Marker);
        return string.Join('\n', lines);
    }
}
