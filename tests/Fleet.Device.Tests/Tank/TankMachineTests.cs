using Fleet.Device.Tank;
using static Fleet.Device.Tank.TankState;
using static Fleet.Device.Tank.TankTrigger;

namespace Fleet.Device.Tests.Tank;

public sealed class TankMachineTests
{
    /// <summary>The whole transition table. Any (state, trigger) pair not listed must be refused.</summary>
    public static readonly TheoryData<TankState, TankTrigger, TankState> Transitions = new()
    {
        { Initializing, SensorsReady, Growing },
        { Initializing, CriticalSensorLost, Fault },
        { Initializing, MaintenanceOn, Maintenance },
        { Growing, TurbidityHigh, HarvestReady },
        { Growing, OutOfRange, Alarm },
        { Growing, CriticalSensorLost, Fault },
        { Growing, MaintenanceOn, Maintenance },
        { HarvestReady, HarvestStart, Harvesting },
        { HarvestReady, OutOfRange, Alarm },
        { HarvestReady, CriticalSensorLost, Fault },
        { HarvestReady, MaintenanceOn, Maintenance },
        { Harvesting, HarvestDone, Growing },
        { Harvesting, OutOfRange, Alarm },
        { Harvesting, CriticalSensorLost, Fault },
        { Harvesting, MaintenanceOn, Maintenance },
        { Alarm, BackInRange, Growing },
        { Alarm, CriticalSensorLost, Fault },
        { Alarm, MaintenanceOn, Maintenance },
        { Fault, SensorsRestored, Growing },
        { Fault, MaintenanceOn, Maintenance },
        { Maintenance, MaintenanceOff, Initializing },
    };

    public static TheoryData<TankState, TankTrigger> Refused()
    {
        var allowed = Transitions.Select(row => ((TankState)row[0], (TankTrigger)row[1])).ToHashSet();
        var data = new TheoryData<TankState, TankTrigger>();
        foreach (var s in Enum.GetValues<TankState>())
        {
            foreach (var t in Enum.GetValues<TankTrigger>())
            {
                if (!allowed.Contains((s, t)))
                {
                    data.Add(s, t);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Permitted_trigger_moves_the_tank_and_reports_the_transition(TankState from, TankTrigger trigger, TankState to)
    {
        var machine = new TankMachine(from);
        (TankState, TankState, TankTrigger)? seen = null;
        machine.Transitioned += (f, t, tr) => seen = (f, t, tr);

        Assert.True(machine.TryFire(trigger));

        Assert.Equal(to, machine.State);
        Assert.Equal((from, to, trigger), seen);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Any_other_trigger_is_refused_and_changes_nothing(TankState from, TankTrigger trigger)
    {
        var machine = new TankMachine(from);
        var fired = false;
        machine.Transitioned += (_, _, _) => fired = true;

        Assert.False(machine.TryFire(trigger));

        Assert.Equal(from, machine.State);
        Assert.False(fired);
    }
}
