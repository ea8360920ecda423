using Fleet.Device.Hardware;

namespace Fleet.Device.Simulation;

/// <summary>A 20 L algae photobioreactor, integrated in steps of at most 10 simulated seconds up to the clock's
/// "now" whenever a chip is read. Deliberately simple physics with the right signs and orders of magnitude:
/// Newtonian heat exchange with the room, a 150 W heater, evaporation, logistic growth driven by light and
/// temperature, oxygen and pH pushed up by photosynthesis and pulled back by aeration, harvest by dilution.</summary>
public sealed class TankModel
{
    public const double CapacityLitres = 20.0;
    public const double FullMarkLitres = 19.0;

    private const double HeaterWatts = 150;
    private const double LampHeatWatts = 15;
    private const double HeatLossTimeConstantSeconds = 3 * 3600;
    private const double TopUpLitresPerSecond = 1.0 / 60;
    private const double HarvestLitresPerSecond = 0.8 / 60;
    private const double MaxGrowthPerSecond = 1.2 / 86400;
    private const double CarryingCapacity = 3.0;

    private readonly TimeProvider _clock;
    private readonly Func<Actuator, bool> _actuators;
    private readonly Lock _gate = new();
    private DateTimeOffset _t;

    public TankModel(TimeProvider clock, Func<Actuator, bool> actuators)
    {
        _clock = clock;
        _actuators = actuators;
        _t = clock.GetUtcNow();
        AirCelsius = AmbientAt(_t);
    }

    public double WaterCelsius { get; private set; } = 25.0;
    public double AirCelsius { get; private set; }
    public double HumidityPercent { get; private set; } = 55;
    public double VolumeLitres { get; private set; } = CapacityLitres;
    /// <summary>Dry biomass, g/L.</summary>
    public double Biomass { get; private set; } = 0.4;
    public double DissolvedOxygen { get; private set; } = 8.0;
    public double Ph { get; private set; } = 7.8;
    public double Lux { get; private set; }

    public bool Full => VolumeLitres >= FullMarkLitres;

    /// <summary>Optical density in NTU: clear medium plus a term linear in biomass.</summary>
    public double Turbidity => 40 + (450 * Biomass);

    /// <summary>Sets the starting condition (tests and demos).</summary>
    public void Reset(double? waterCelsius = null, double? volumeLitres = null, double? biomass = null, double? dissolvedOxygen = null, double? ph = null)
    {
        lock (_gate)
        {
            WaterCelsius = waterCelsius ?? WaterCelsius;
            VolumeLitres = volumeLitres ?? VolumeLitres;
            Biomass = biomass ?? Biomass;
            DissolvedOxygen = dissolvedOxygen ?? DissolvedOxygen;
            Ph = ph ?? Ph;
        }
    }

    /// <summary>Integrates up to the clock's now and returns a consistent copy of the tank.</summary>
    public TankSnapshot Observe()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            while (_t < now)
            {
                var dt = Math.Min(10.0, (now - _t).TotalSeconds);
                _t += TimeSpan.FromSeconds(dt);
                Step(dt);
            }

            return new TankSnapshot(WaterCelsius, AirCelsius, HumidityPercent, Lux, Ph, Turbidity, DissolvedOxygen, Full);
        }
    }

    private static double AmbientAt(DateTimeOffset t)
    {
        var hour = t.UtcDateTime.TimeOfDay.TotalHours;
        return 21 + (3 * Math.Sin(2 * Math.PI * (hour - 9) / 24));
    }

    private void Step(double dt)
    {
        var light = _actuators(Actuator.GrowLight);
        var heater = _actuators(Actuator.Heater);
        var air = _actuators(Actuator.AirPump);
        var topUp = _actuators(Actuator.TopUpPump);
        var harvest = _actuators(Actuator.HarvestPump);

        var hour = _t.UtcDateTime.TimeOfDay.TotalHours;
        AirCelsius = AmbientAt(_t);
        HumidityPercent = 55 - (10 * Math.Sin(2 * Math.PI * (hour - 9) / 24));
        Lux = light ? 6000 : 40;

        // Heat: heater and lamp in, Newtonian loss to the room.
        var heatCapacity = Math.Max(VolumeLitres, 1) * 4186;
        var watts = (heater ? HeaterWatts : 0) + (light ? LampHeatWatts : 0);
        WaterCelsius += ((watts / heatCapacity) - ((WaterCelsius - AirCelsius) / HeatLossTimeConstantSeconds)) * dt;

        // Water: evaporation (warmer and bubbled water loses more), top-up with fresh medium, harvest of culture.
        var evaporation = 0.6 / 86400 * (1 + (0.05 * (WaterCelsius - 25))) * (air ? 1.3 : 1.0);
        VolumeLitres -= Math.Max(0, evaporation) * dt;
        if (harvest)
        {
            VolumeLitres = Math.Max(2, VolumeLitres - (HarvestLitresPerSecond * dt));
        }

        if (topUp)
        {
            var added = TopUpLitresPerSecond * dt;
            Biomass *= VolumeLitres / (VolumeLitres + added);
            VolumeLitres = Math.Min(CapacityLitres, VolumeLitres + added);
        }

        // Growth: light-limited (Monod in lux) and temperature-shaped (optimum 28 °C), logistic in biomass.
        var lightFactor = Lux / (Lux + 2000);
        var tempFactor = Math.Exp(-Math.Pow((WaterCelsius - 28) / 6, 2));
        var photosynthesis = lightFactor * tempFactor * Biomass;
        Biomass += ((MaxGrowthPerSecond * photosynthesis * (1 - (Biomass / CarryingCapacity))) - (0.05 / 86400 * Biomass)) * dt;
        Biomass = Math.Max(0.01, Biomass);

        // Oxygen: produced while lit, respired always, exchanged with air towards saturation.
        var saturation = Health.OxygenPhysics.Saturation(WaterCelsius);
        var exchange = (air ? 2.0 : 0.3) / 3600;
        DissolvedOxygen += (((4.0 * photosynthesis) - (0.6 * Biomass)) / 3600 * dt) - (exchange * (DissolvedOxygen - saturation) * dt);
        DissolvedOxygen = Math.Max(0, DissolvedOxygen);

        // pH: CO2 uptake by photosynthesis raises it; aeration brings CO2 back.
        var reaeration = (air ? 0.15 : 0.05) / 3600;
        Ph += (0.12 * photosynthesis / 3600 * dt) - (reaeration * (Ph - 7.6) * dt);
    }
}
