namespace Fleet.Cli.Burn;

internal enum TargetKind
{
    /// <summary>An image file, written next to itself and renamed into place only after it verified.</summary>
    File,

    /// <summary>An SD card or USB disk, written in place after the whole image decoded cleanly.</summary>
    BlockDevice,
}
