namespace Fleet.Device.Tank;

/// <summary>The fresh sensor values at one instant; null = no fresh value (failed or stale).</summary>
public sealed record TankInputs(
    DateTimeOffset Now,
    double? WaterCelsius = null,
    double? Ph = null,
    double? Turbidity = null,
    double? DissolvedOxygen = null,
    double? Lux = null,
    bool? Full = null,
    string? WaterCelsiusDistrusted = null)
{
    /// <summary>Without water temperature the heater cannot be run safely; without the level the pumps cannot. A water
    /// temperature the health checks distrust (<see cref="WaterCelsiusDistrusted"/>: stuck or jumping) counts as absent.</summary>
    public bool CriticalPresent => WaterCelsius is not null && Full is not null && WaterCelsiusDistrusted is null;
}
