namespace Fleet.Device.Update;

/// <summary>The work a phase of <see cref="UpdateFlow"/> does. A phase without a step is at rest (idle or a final
/// outcome).</summary>
public enum UpdateStep
{
    None,

    /// <summary>Fetch the chunks the bitmap lacks, check the whole payload and unpack it into the inactive slot.</summary>
    Download,

    /// <summary>Put the staged slot on trial (boot.json, then the <c>current</c> link); the agent then exits so
    /// fleet-boot starts the new slot.</summary>
    Activate,

    /// <summary>This start is the trial of the new slot: check its health, then commit or roll back.</summary>
    HealthCheck,
}
