namespace Fleet.Cli.Burn;

/// <summary>Where an image goes, after <see cref="TargetGuard"/> decided it is safe to write.</summary>
internal sealed record BurnTarget(string Path, TargetKind Kind);
