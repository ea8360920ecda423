using System.Globalization;
using Fleet.Device.Configuration;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Health;

/// <summary>Judges every reading the agent takes: per sensor a <see cref="StuckDetector"/> and a
/// <see cref="JumpDetector"/>, for the pairs a <see cref="TemperaturePartnerDetector"/> and an
/// <see cref="OxygenLightPartnerDetector"/>, plus the <see cref="ControlWindow"/> of the health summary. A sensor whose
/// loop fails is <c>faulted</c> until it reads again. <see cref="Changed"/> fires when any verdict changes. The tank
/// controller asks <see cref="Distrust"/> before it acts on a critical sensor.</summary>
public sealed class HealthMonitor : ISensorTrust
{
    private readonly Lock _gate = new();
    private readonly Func<TankSettings> _settings;
    private readonly Dictionary<string, SensorChecks> _sensors;
    private readonly TemperaturePartnerDetector _temperatures;
    private readonly OxygenLightPartnerDetector _oxygen;
    private readonly Dictionary<string, double> _latest = [];

    public HealthMonitor(HealthProfile profile, IEnumerable<string> sensors, Func<TankSettings> settings)
    {
        _settings = settings;
        _sensors = sensors.Distinct().ToDictionary(s => s, s =>
        {
            var p = profile.For(s);
            return new SensorChecks(new StuckDetector(p.NoiseFloor, p.StuckSamples), new JumpDetector(p.MaxRatePerMinute, p.JumpTolerance));
        });
        _temperatures = new TemperaturePartnerDetector(profile.WaterAirMaxDifference, profile.PartnerSamples);
        _oxygen = new OxygenLightPartnerDetector(profile.DarkLux, profile.OxygenRiseTolerance, profile.PartnerSamples);
        Window = new ControlWindow(TimeSpan.FromSeconds(Math.Max(60, profile.WindowSeconds)));
    }

    /// <summary>Raised (outside the monitor's lock) when a sensor's verdict changes.</summary>
    public event Action? Changed;

    private ControlWindow Window { get; }

    /// <summary>The control figures at <paramref name="now"/> (tank time) and the span of tank time they cover.</summary>
    public (TimeSpan Span, ControlQuality Quality) Control(DateTimeOffset now)
    {
        lock (_gate)
        {
            return (Window.Span(now), Window.Quality(now));
        }
    }

    public void Observe(Reading reading)
    {
        bool changed;
        lock (_gate)
        {
            Window.Add(reading, _settings());
            if (!_sensors.TryGetValue(reading.Sensor, out var checks))
            {
                return;
            }

            var before = Snapshot();
            checks.Faulted = false;
            checks.Stuck.Observe(reading.Value);
            checks.Jump.Observe(reading.Value, reading.Ts);
            _latest[reading.Sensor] = reading.Value;
            if (reading.Sensor == SensorNames.WaterTemperature && _latest.TryGetValue(SensorNames.AirTemperature, out var air))
            {
                _temperatures.Observe(reading.Value, air);
            }

            if (reading.Sensor == SensorNames.DissolvedOxygen && _latest.TryGetValue(SensorNames.Light, out var lux)
                && _latest.TryGetValue(SensorNames.WaterTemperature, out var water))
            {
                _oxygen.Observe(reading.Value, lux, water);
            }

            changed = !before.SequenceEqual(Snapshot());
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>The sensor's loop failed: no value until it reads again.</summary>
    public void Fault(string sensor, string? reason)
    {
        bool changed;
        lock (_gate)
        {
            if (!_sensors.TryGetValue(sensor, out var checks))
            {
                return;
            }

            changed = !checks.Faulted;
            checks.Faulted = true;
            checks.FaultReason = reason;
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Every sensor's verdict, in the board's order.</summary>
    public IReadOnlyList<SensorHealth> Sensors()
    {
        lock (_gate)
        {
            return Snapshot();
        }
    }

    /// <summary>Why the sensor's readings must not be acted on (stuck or jumping), or null.</summary>
    public string? Distrust(string sensor)
    {
        lock (_gate)
        {
            var v = Verdict(sensor);
            return v.State is HealthStates.Stuck or HealthStates.Jump ? $"{sensor} {v.State}: {v.Detail}" : null;
        }
    }

    private List<SensorHealth> Snapshot() => [.. _sensors.Keys.Select(Verdict)];

    private SensorHealth Verdict(string sensor)
    {
        if (!_sensors.TryGetValue(sensor, out var c))
        {
            return new SensorHealth(sensor, HealthStates.Ok);
        }

        if (c.Faulted)
        {
            return new SensorHealth(sensor, HealthStates.Faulted, Clip(c.FaultReason));
        }

        if (c.Stuck.IsStuck)
        {
            return new SensorHealth(sensor, HealthStates.Stuck,
                F($"the same value {c.Stuck.Value:0.###} (within {c.Stuck.NoiseFloor:0.###}) for {c.Stuck.Run} samples"));
        }

        if (c.Jump.IsJumping && c.Jump.LastJump is { } j)
        {
            return new SensorHealth(sensor, HealthStates.Jump,
                F($"{j.From:0.###} -> {j.To:0.###} in {j.Minutes * 60:0.#} s of tank time; at most {c.Jump.MaxRatePerMinute:0.###}/min + {c.Jump.Tolerance:0.###}"));
        }

        if (_temperatures.Disagrees && sensor is SensorNames.WaterTemperature or SensorNames.AirTemperature)
        {
            return new SensorHealth(sensor, HealthStates.Disagrees,
                F($"water and air temperature differ by more than {_temperatures.MaxDifference:0.#} °C for {_temperatures.Run} samples"));
        }

        if (_oxygen.Disagrees && sensor == SensorNames.DissolvedOxygen)
        {
            return new SensorHealth(sensor, HealthStates.Disagrees,
                F($"rising {_oxygen.Rise:0.##} mg/L above saturation in the dark (light under {_oxygen.DarkLux:0} lux) over {_oxygen.Samples} samples"));
        }

        return new SensorHealth(sensor, HealthStates.Ok);
    }

    private static string F(FormattableString s) => Clip(s.ToString(CultureInfo.InvariantCulture))!;

    private static string? Clip(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var clean = new string([.. s.Select(ch => char.IsControl(ch) ? ' ' : ch)]);
        return clean.Length <= Fleet.Protocol.Messages.Validation.InboundLimits.MaxHealthDetailLength
            ? clean
            : string.Concat(clean.AsSpan(0, Fleet.Protocol.Messages.Validation.InboundLimits.MaxHealthDetailLength - 1), "…");
    }

    private sealed class SensorChecks(StuckDetector stuck, JumpDetector jump)
    {
        public StuckDetector Stuck { get; } = stuck;
        public JumpDetector Jump { get; } = jump;
        public bool Faulted { get; set; }
        public string? FaultReason { get; set; }
    }
}

/// <summary>What the tank controller asks before acting on a sensor: the reason its readings are implausible, or null.</summary>
public interface ISensorTrust
{
    string? Distrust(string sensor);
}
