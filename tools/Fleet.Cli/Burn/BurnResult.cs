namespace Fleet.Cli.Burn;

/// <summary>What was written: the verified image digest, the target, and where on the card the Fleet files went.</summary>
internal sealed record BurnResult(BurnTarget Target, ImageDigest Image, PartitionEntry BootPartition);
