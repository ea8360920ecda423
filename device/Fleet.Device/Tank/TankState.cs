namespace Fleet.Device.Tank;

public enum TankState
{
    Initializing,
    Growing,
    HarvestReady,
    Harvesting,
    Alarm,
    Fault,
    Maintenance,
}
