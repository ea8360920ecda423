using Fleet.Device.Hardware;

namespace Fleet.Device.Tank;

/// <summary>What every relay should be.</summary>
public sealed record TankOutputs(bool GrowLight, bool Heater, bool AirPump, bool TopUpPump, bool HarvestPump)
{
    public static readonly TankOutputs AllOff = new(false, false, false, false, false);

    public bool this[Actuator actuator] => actuator switch
    {
        Actuator.GrowLight => GrowLight,
        Actuator.Heater => Heater,
        Actuator.AirPump => AirPump,
        Actuator.TopUpPump => TopUpPump,
        Actuator.HarvestPump => HarvestPump,
        _ => throw new ArgumentOutOfRangeException(nameof(actuator)),
    };
}
