namespace Fleet.Hub.Firmware;

internal static class FirmwareLimits
{
    /// <summary>Largest bundle the hub accepts over HTTP (a Pi OS image fits; anything more is a mistake or an attack).</summary>
    public const long MaxBundleBytes = 4L * 1024 * 1024 * 1024;
}
