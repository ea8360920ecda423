namespace Fleet.Cli.Burn;

/// <summary>How many bytes an image has and their SHA-256, to compare what was written with what is read back.</summary>
internal sealed record ImageDigest(long Length, string Sha256);
