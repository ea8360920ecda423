namespace Fleet.Cli.Burn;

/// <summary>One primary partition from an MBR partition table, in bytes from the start of the disk.</summary>
internal sealed record PartitionEntry(int Number, byte Type, long Offset, long Length)
{
    /// <summary>FAT12/16/32 partition types (CHS and LBA variants); Raspberry Pi OS uses 0x0c for its boot partition.</summary>
    public bool IsFat => Type is 0x01 or 0x04 or 0x06 or 0x0b or 0x0c or 0x0e;
}
