namespace Fleet.Device.Hardware;

public enum Actuator
{
    GrowLight,
    Heater,
    AirPump,
    TopUpPump,
    HarvestPump,
}
