namespace Fleet.Device.Configuration;

/// <summary>The hardware profile (<c>ROOT/agent.json</c>): which chip sits on which bus, address and pin,
/// how probe voltages map to values, and how often to sample. Every field has a default matching the
/// reference board, so a missing file means "reference board". (Settable, not init-only: source-generated JSON
/// would null out absent init-only members.)</summary>
public sealed record AgentProfile
{
    public AirSensorProfile Air { get; set; } = new();
    public WaterThermometerProfile WaterTemperature { get; set; } = new();
    public LightMeterProfile Light { get; set; } = new();
    public AnalogFrontEndProfile Adc { get; set; } = new();
    public LevelSwitchProfile Level { get; set; } = new();
    public RelayProfile Relays { get; set; } = new();
    public SamplingProfile Sampling { get; set; } = new();
    public TelemetryProfile Telemetry { get; set; } = new();
    public SimulationProfile Simulation { get; set; } = new();
    public LinkProfile Link { get; set; } = new();
    public HealthProfile Health { get; set; } = new();

    /// <summary>Command run for the <c>reboot</c> command after the answer is sent, e.g. ["systemctl","reboot"].
    /// Empty: the agent exits cleanly and its supervisor (systemd, fleet-boot) starts it again.</summary>
    public IReadOnlyList<string> RebootCommand { get; set; } = [];
}

public sealed record AirSensorProfile
{
    /// <summary><c>bme280</c> or <c>sht3x</c>.</summary>
    public string Chip { get; set; } = "bme280";
    public int Bus { get; set; } = 1;
    /// <summary>0x76 for BME280 (SDO low); 0x44 for SHT3x.</summary>
    public int Address { get; set; } = 0x76;
}

public sealed record WaterThermometerProfile
{
    /// <summary>DS18B20 1-Wire id as the kernel names it (family 28).</summary>
    public string DeviceId { get; set; } = "28-00000a1b2c3d";
    public string BusId { get; set; } = "w1_bus_master1";
    /// <summary>Null: the kernel's sysfs through Iot.Device's <c>OneWireThermometerDevice</c>.
    /// A directory: read <c>DIR/{deviceId}/w1_slave</c> directly (the simulated board's tree).</summary>
    public string? SysfsDevicesPath { get; set; }
}

public sealed record LightMeterProfile
{
    public int Bus { get; set; } = 1;
    /// <summary>0x23 with ADDR low, 0x5C with ADDR high.</summary>
    public int Address { get; set; } = 0x23;
}

public sealed record AnalogFrontEndProfile
{
    public int Bus { get; set; } = 1;
    public int Address { get; set; } = 0x48;
    public ProbeCalibration Ph { get; set; } = new(0, 20.8889, -5.5556);
    public ProbeCalibration Turbidity { get; set; } = new(1, 4200, -1000);
    public ProbeCalibration DissolvedOxygen { get; set; } = new(2, 0, 10);
}

/// <summary>value = <see cref="Offset"/> + <see cref="Slope"/> × volts on ADS1115 input <see cref="Channel"/>.</summary>
public sealed record ProbeCalibration(int Channel, double Offset, double Slope)
{
    public double ToValue(double volts) => Offset + (Slope * volts);

    public double ToVolts(double value) => (value - Offset) / Slope;
}

public sealed record LevelSwitchProfile
{
    public int Pin { get; set; } = 17;
    /// <summary>True when the pin reads high while the float is up (tank full).</summary>
    public bool HighMeansFull { get; set; } = true;
}

public sealed record RelayProfile
{
    public int GrowLight { get; set; } = 5;
    public int Heater { get; set; } = 6;
    public int AirPump { get; set; } = 13;
    public int TopUpPump { get; set; } = 19;
    public int HarvestPump { get; set; } = 26;
    /// <summary>Most relay boards switch on when the input is pulled low.</summary>
    public bool ActiveLow { get; set; }
}

public sealed record SamplingProfile
{
    public int IntervalMs { get; set; } = 1000;
    public int BackoffInitialMs { get; set; } = 1000;
    public int BackoffMaxMs { get; set; } = 60_000;
    /// <summary>How often the tank machine evaluates its inputs.</summary>
    public int ControlIntervalMs { get; set; } = 1000;
}

public sealed record TelemetryProfile
{
    public int BatchSeconds { get; set; } = 5;
    /// <summary>Bound of the on-disk spool (batches); the oldest is dropped beyond it.</summary>
    public int SpoolMaxBatches { get; set; } = 17_280;
}

public sealed record SimulationProfile
{
    /// <summary>Simulated seconds per real second (demos run days of growth in minutes).</summary>
    public double Speed { get; set; } = 1.0;
    public int Seed { get; set; } = 1;
    /// <summary>Standard deviation of sensor noise as a fraction of the reading.</summary>
    public double Noise { get; set; } = 0.002;
}

public sealed record LinkProfile
{
    /// <summary>Reconnect backoff: doubles from the minimum to the maximum, each wait jittered to 50-100 %.</summary>
    public int ReconnectMinMs { get; set; } = 1000;
    public int ReconnectMaxMs { get; set; } = 60_000;
    public int KeepAliveSeconds { get; set; } = 30;
    /// <summary>The retained status is refreshed this often (and on every tank transition).</summary>
    public int StatusIntervalSeconds { get; set; } = 60;
}

/// <summary>The health summary (docs/device.md, Health): how often it goes out, the window of tank time it covers,
/// and the implausibility checks. Per-sensor settings override <see cref="SensorPlausibility.Defaults"/> field by field.</summary>
public sealed record HealthProfile
{
    /// <summary>Real seconds between summaries; a change of a sensor's state or the tank state sends one at once.</summary>
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Tank seconds the control figures cover (a day: the oxygen swing is a day/night swing).</summary>
    public double WindowSeconds { get; set; } = 86_400;

    /// <summary>Water and air temperature differing by more than this (°C) ...</summary>
    public double WaterAirMaxDifference { get; set; } = 15;

    /// <summary>... or dissolved oxygen rising in the dark for this many consecutive samples disagree.</summary>
    public int PartnerSamples { get; set; } = 60;

    /// <summary>Light below this (lux) counts as dark for the oxygen check (the simulated tank reads 40 with the lamp off).</summary>
    public double DarkLux { get; set; } = 100;

    /// <summary>How far (mg/L) dissolved oxygen must stand above saturation and rise in the dark before it disagrees.</summary>
    public double OxygenRiseTolerance { get; set; } = 0.3;

    public Dictionary<string, SensorPlausibilityProfile> Sensors { get; set; } = [];

    /// <summary>The effective checks of <paramref name="sensor"/>: the defaults with this profile's overrides.</summary>
    public SensorPlausibility For(string sensor)
    {
        var d = SensorPlausibility.Defaults.TryGetValue(sensor, out var known) ? known : SensorPlausibility.Off;
        return Sensors.TryGetValue(sensor, out var o)
            ? new SensorPlausibility(o.NoiseFloor ?? d.NoiseFloor, o.StuckSamples ?? d.StuckSamples, o.MaxRatePerMinute ?? d.MaxRatePerMinute, o.JumpTolerance ?? d.JumpTolerance)
            : d;
    }
}

/// <summary>Overrides of one sensor's checks in agent.json; absent fields keep the default.</summary>
public sealed record SensorPlausibilityProfile
{
    public double? NoiseFloor { get; set; }
    public int? StuckSamples { get; set; }
    public double? MaxRatePerMinute { get; set; }
    public double? JumpTolerance { get; set; }
}

/// <summary>One sensor's implausibility checks: stuck after <see cref="StuckSamples"/> readings within
/// <see cref="NoiseFloor"/> (0 samples: off); a jump when it moves more than <see cref="MaxRatePerMinute"/> per minute
/// of tank time plus <see cref="JumpTolerance"/> (0 rate: off).</summary>
public sealed record SensorPlausibility(double NoiseFloor, int StuckSamples, double MaxRatePerMinute, double JumpTolerance)
{
    public static readonly SensorPlausibility Off = new(0, 0, 0, 0);

    /// <summary>Sized for the reference board: the noise floor 0 asks for the very same value (every probe's last digit
    /// moves with noise); the rates are well above what a 150 W heater, the room, growth, aeration and a harvest can
    /// do to a 20 L tank. The light switches in an instant and the float is constant for days: both unchecked.</summary>
    public static readonly IReadOnlyDictionary<string, SensorPlausibility> Defaults = new Dictionary<string, SensorPlausibility>
    {
        [Fleet.Protocol.Messages.SensorNames.WaterTemperature] = new(0, 60, 0.5, 1.0),
        [Fleet.Protocol.Messages.SensorNames.AirTemperature] = new(0, 120, 1.0, 2.0),
        [Fleet.Protocol.Messages.SensorNames.Humidity] = new(0, 120, 5, 10),
        [Fleet.Protocol.Messages.SensorNames.Ph] = new(0, 120, 0.2, 0.5),
        [Fleet.Protocol.Messages.SensorNames.DissolvedOxygen] = new(0, 120, 1.0, 1.0),
        [Fleet.Protocol.Messages.SensorNames.Turbidity] = new(0, 120, 40, 30),
        [Fleet.Protocol.Messages.SensorNames.Light] = Off,
        [Fleet.Protocol.Messages.SensorNames.WaterLevel] = Off,
    };
}
