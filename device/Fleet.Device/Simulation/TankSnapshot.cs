namespace Fleet.Device.Simulation;

/// <summary>What the simulated tank's sensors would see at one instant.</summary>
public sealed record TankSnapshot(
    double WaterCelsius,
    double AirCelsius,
    double HumidityPercent,
    double Lux,
    double Ph,
    double Turbidity,
    double DissolvedOxygen,
    bool Full);
