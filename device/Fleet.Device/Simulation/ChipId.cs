namespace Fleet.Device.Simulation;

/// <summary>The simulated board's chips, the unit faults are switched on.</summary>
public enum ChipId
{
    Air,
    WaterThermometer,
    LightMeter,
    Adc,
    LevelSwitch,
}
