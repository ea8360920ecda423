namespace Fleet.Cli.Burn;

/// <summary>Where a device's provisioning files come from when its card is burnt. Today a directory written by
/// <c>fleet device provision SERIAL --output DIR</c>; the hub client can supply an implementation that asks the hub
/// and writes the same files into <paramref name="destination"/>.</summary>
internal interface IProvisioningSource
{
    /// <summary>Writes device.crt, device.key, ca.crt, hub.json and optionally trusted-keys/*.pub and agent.json
    /// for <paramref name="serial"/> into <paramref name="destination"/>, or throws a <see cref="CliFailure"/>.</summary>
    Task WriteAsync(string serial, string destination, CancellationToken ct);
}
