using Stateless;

namespace Fleet.Device.Tank;

/// <summary>The tank's transition table (Stateless, state held outside so it can be persisted and resumed).
/// Maintenance can be entered from every state; a lost critical sensor leads to Fault from every automatic state.</summary>
public sealed class TankMachine
{
    private readonly StateMachine<TankState, TankTrigger> _machine;
    private TankState _state;

    public TankMachine(TankState initial)
    {
        _state = initial;
        _machine = new StateMachine<TankState, TankTrigger>(() => _state, s => _state = s);

        _machine.Configure(TankState.Initializing)
            .Permit(TankTrigger.SensorsReady, TankState.Growing)
            .Permit(TankTrigger.CriticalSensorLost, TankState.Fault)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.Growing)
            .Permit(TankTrigger.TurbidityHigh, TankState.HarvestReady)
            .Permit(TankTrigger.OutOfRange, TankState.Alarm)
            .Permit(TankTrigger.CriticalSensorLost, TankState.Fault)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.HarvestReady)
            .Permit(TankTrigger.HarvestStart, TankState.Harvesting)
            .Permit(TankTrigger.OutOfRange, TankState.Alarm)
            .Permit(TankTrigger.CriticalSensorLost, TankState.Fault)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.Harvesting)
            .Permit(TankTrigger.HarvestDone, TankState.Growing)
            .Permit(TankTrigger.OutOfRange, TankState.Alarm)
            .Permit(TankTrigger.CriticalSensorLost, TankState.Fault)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.Alarm)
            .Permit(TankTrigger.BackInRange, TankState.Growing)
            .Permit(TankTrigger.CriticalSensorLost, TankState.Fault)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.Fault)
            .Permit(TankTrigger.SensorsRestored, TankState.Growing)
            .Permit(TankTrigger.MaintenanceOn, TankState.Maintenance);

        _machine.Configure(TankState.Maintenance)
            .Permit(TankTrigger.MaintenanceOff, TankState.Initializing);

        _machine.OnTransitioned(t => Transitioned?.Invoke(t.Source, t.Destination, t.Trigger));
    }

    /// <summary>(from, to, trigger) after every transition.</summary>
    public event Action<TankState, TankState, TankTrigger>? Transitioned;

    public TankState State => _state;

    public bool CanFire(TankTrigger trigger) => _machine.CanFire(trigger);

    /// <summary>Fires when permitted; false (and nothing changes) otherwise.</summary>
    public bool TryFire(TankTrigger trigger)
    {
        if (!_machine.CanFire(trigger))
        {
            return false;
        }

        _machine.Fire(trigger);
        return true;
    }
}
