namespace Fleet.Device.Tank;

public enum TankTrigger
{
    SensorsReady,
    CriticalSensorLost,
    SensorsRestored,
    OutOfRange,
    BackInRange,
    TurbidityHigh,
    HarvestStart,
    HarvestDone,
    MaintenanceOn,
    MaintenanceOff,
}
