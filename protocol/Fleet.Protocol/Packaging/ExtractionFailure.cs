namespace Fleet.Protocol.Packaging;

/// <summary>Why <see cref="PayloadExtractor"/> refused a tar. <see cref="None"/> means it unpacked.</summary>
public enum ExtractionFailure
{
    None = 0,

    /// <summary>Not a readable tar (bad header checksum, ends early).</summary>
    MalformedArchive,

    /// <summary>An entry name that is absolute, contains <c>..</c>, or is empty.</summary>
    PathTraversal,

    /// <summary>A symbolic link whose target is absolute or climbs with <c>..</c>; hard links are refused too.</summary>
    LinkEscapes,

    /// <summary>Device nodes, FIFOs and other special files.</summary>
    UnsupportedEntry,

    DuplicateEntry,

    /// <summary>Total or per-file bytes over the limits.</summary>
    TooLarge,

    TooManyEntries,

    /// <summary>The destination exists and is not empty (an inactive slot is cleared first).</summary>
    DestinationNotEmpty,

    /// <summary>Writing to the destination failed (disk full, permissions).</summary>
    WriteFailed,
}
