namespace Fleet.Device.Tank;

/// <summary>Wire names of tank states (status, events): snake_case as in DESIGN.md.</summary>
public static class TankStateNames
{
    public static string Of(TankState state) => state switch
    {
        TankState.Initializing => "initializing",
        TankState.Growing => "growing",
        TankState.HarvestReady => "harvest_ready",
        TankState.Harvesting => "harvesting",
        TankState.Alarm => "alarm",
        TankState.Fault => "fault",
        TankState.Maintenance => "maintenance",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string? name, out TankState state)
    {
        foreach (var s in Enum.GetValues<TankState>())
        {
            if (Of(s) == name)
            {
                state = s;
                return true;
            }
        }

        state = TankState.Initializing;
        return false;
    }
}
