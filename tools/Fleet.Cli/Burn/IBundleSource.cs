namespace Fleet.Cli.Burn;

/// <summary>Where the agent bundle put on a card comes from: a local file (<c>--bundle</c>) or the hub.</summary>
internal interface IBundleSource
{
    /// <summary>A local .fwb for <paramref name="serial"/>, downloaded into <paramref name="staging"/> if need be, or a
    /// <see cref="CliFailure"/>. Not yet verified: the caller checks it against the device's trusted keys.</summary>
    Task<string> ObtainAsync(string serial, string staging, CancellationToken ct);

    /// <summary>The product the bundle must be for, when known (from the hub); null for a local file.</summary>
    string? Product { get; }
}
