using System.Globalization;

namespace Fleet.Cli.Burn;

/// <summary>The FAT boot partition inside a written image file or card, edited in place with mtools
/// (<c>mcopy -i DISK@@OFFSET</c>): no mount, no loop device, no root for a file.</summary>
internal sealed class BootPartition(string disk, PartitionEntry partition)
{
    private string Drive => disk + "@@" + partition.Offset.ToString(CultureInfo.InvariantCulture);

    public PartitionEntry Partition => partition;

    /// <summary>The file's text, or null when the partition has no such file.</summary>
    public async Task<string?> TryReadTextAsync(string name, CancellationToken ct)
    {
        var (exit, output, _) = await HostTool.Mcopy.RunAsync(["-i", Drive, "-n", "::/" + name, "-"], ct);
        return exit == 0 ? output : null;
    }

    /// <summary>Copies a local directory tree to the partition's root (as ::/NAME), replacing what is there.</summary>
    public async Task CopyTreeAsync(string localDirectory, CancellationToken ct)
    {
        var (exit, _, error) = await HostTool.Mcopy.RunAsync(["-i", Drive, "-s", "-o", "-Q", localDirectory, "::/"], ct);
        if (exit != 0)
        {
            throw Failed($"copying {Path.GetFileName(localDirectory)}/", error);
        }
    }

    public async Task WriteFileAsync(string localFile, string name, CancellationToken ct)
    {
        var (exit, _, error) = await HostTool.Mcopy.RunAsync(["-i", Drive, "-o", "-Q", localFile, "::/" + name], ct);
        if (exit != 0)
        {
            throw Failed($"writing {name}", error);
        }
    }

    private CliFailure Failed(string what, string error) =>
        new($"{what} to the boot partition (partition {partition.Number} at byte {partition.Offset}) failed: " +
            $"{error.Trim().Split('\n').LastOrDefault() ?? "mtools failed"}; is the partition full or damaged?");
}
