namespace Fleet.Protocol.Messages;

/// <summary>Published at QoS 1, not retained, on <c>health</c>: every <c>health.intervalSeconds</c> of real time and at
/// once when a sensor's <see cref="SensorHealth.State"/> or the tank state changes. <see cref="At"/> is the wall clock
/// (real UTC), never the simulation's scaled tank clock; <see cref="WindowSeconds"/> is the span of tank time that the
/// tank and control figures summarise (the agent's rolling window, shorter just after a start). docs/protocol.md.</summary>
public sealed record HealthSummary(
    DateTimeOffset At,
    string? Firmware,
    double WindowSeconds,
    IReadOnlyList<SensorHealth> Sensors,
    string TankState,
    double AlarmSeconds,
    double FaultSeconds,
    ControlQuality Control,
    long Restarts,
    long Reconnects,
    long MemoryBytes);

/// <summary>One sensor's verdict: <see cref="HealthStates"/>; <see cref="Detail"/> says why when it is not ok.</summary>
public sealed record SensorHealth(string Sensor, string State, string? Detail = null);

/// <summary>How well the tank is held, computed over the window from the readings the agent takes anyway. A figure
/// is null when the window holds no reading of its sensor.</summary>
/// <param name="WaterTemperatureError">Mean distance (°C) of the water temperature outside the configured range; 0 inside.</param>
/// <param name="PhInRange">Fraction 0..1 of pH readings within the configured range.</param>
/// <param name="OxygenSwing">Dissolved oxygen max − min over the window (mg/L): the day/night swing.</param>
/// <param name="TurbiditySlope">Least-squares slope of turbidity against tank time, NTU per hour.</param>
public sealed record ControlQuality(
    double? WaterTemperatureError,
    double? PhInRange,
    double? OxygenSwing,
    double? TurbiditySlope);

/// <summary>The sensor states of a <see cref="HealthSummary"/>.</summary>
public static class HealthStates
{
    /// <summary>Reading, and nothing implausible about the readings.</summary>
    public const string Ok = "ok";

    /// <summary>Its loop fails (no fresh value): the chip does not answer, or answers without a valid value.</summary>
    public const string Faulted = "faulted";

    /// <summary>The same value, within the sensor's noise floor, for N consecutive samples.</summary>
    public const string Stuck = "stuck";

    /// <summary>A change between two samples faster than the physics of the tank allows.</summary>
    public const string Jump = "jump";

    /// <summary>Disagrees with its partner (water against air temperature, dissolved oxygen against light).</summary>
    public const string Disagrees = "disagrees";

    public static readonly IReadOnlyList<string> All = [Ok, Faulted, Stuck, Jump, Disagrees];
}
