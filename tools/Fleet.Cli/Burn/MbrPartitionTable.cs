using System.Buffers.Binary;

namespace Fleet.Cli.Burn;

/// <summary>Reads the four primary entries of an MBR (sector 0: entries at 446, 16 bytes each; signature 55 AA at 510).
/// Raspberry Pi OS images use MBR with a FAT boot partition first and an ext4 root second.</summary>
internal static class MbrPartitionTable
{
    private const int SectorSize = 512;

    public static IReadOnlyList<PartitionEntry> Read(Stream disk, string name)
    {
        var sector = new byte[SectorSize];
        disk.Seek(0, SeekOrigin.Begin);
        disk.ReadExactly(sector);
        if (sector[510] != 0x55 || sector[511] != 0xAA)
        {
            throw new CliFailure($"{name} has no MBR partition table (no 55 AA signature in sector 0); is it a Raspberry Pi OS image?");
        }

        var entries = new List<PartitionEntry>();
        for (var i = 0; i < 4; i++)
        {
            var entry = sector.AsSpan(446 + (16 * i), 16);
            var type = entry[4];
            var start = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            var sectors = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
            if (type == 0 || sectors == 0)
            {
                continue;
            }

            if (type == 0xee)
            {
                throw new CliFailure($"{name} uses a GPT partition table; Raspberry Pi OS images use MBR, so this is not one");
            }

            entries.Add(new PartitionEntry(i + 1, type, (long)start * SectorSize, (long)sectors * SectorSize));
        }

        return entries;
    }

    /// <summary>The first FAT partition, which the Pi's firmware boots from, checked to lie inside the disk.</summary>
    public static PartitionEntry BootPartition(Stream disk, long diskLength, string name)
    {
        var boot = Read(disk, name).FirstOrDefault(p => p.IsFat)
            ?? throw new CliFailure($"{name} has no FAT boot partition in its partition table; is it a Raspberry Pi OS image?");
        if (boot.Offset + boot.Length > diskLength)
        {
            throw new CliFailure($"{name}: boot partition {boot.Number} ends at byte {boot.Offset + boot.Length}, beyond the image's {diskLength} bytes; the image is truncated");
        }

        return boot;
    }
}
