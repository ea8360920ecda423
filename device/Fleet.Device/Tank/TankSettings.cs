using Fleet.Protocol.Messages;

namespace Fleet.Device.Tank;

/// <summary>The effective tank configuration: defaults for a Chlorella tank, changed by the hub's <c>config</c>
/// command. Photoperiod hours are UTC.</summary>
public sealed record TankSettings(
    double LightOnHours = 16,
    double LightsOnAtHour = 6,
    double WaterTemperatureMin = 24,
    double WaterTemperatureMax = 30,
    double PhMin = 7,
    double PhMax = 9.5,
    double HarvestTurbidity = 600,
    double HarvestTargetTurbidity = 300)
{
    /// <summary>DESIGN.md: alarm when the water leaves the healthy range by more than this.</summary>
    public const double TemperatureAlarmMargin = 3;

    public bool LightScheduledAt(DateTimeOffset now)
    {
        var hour = now.UtcDateTime.TimeOfDay.TotalHours;
        var sinceOn = ((hour - LightsOnAtHour) % 24 + 24) % 24;
        return sinceOn < LightOnHours;
    }

    /// <summary>Applies the non-null fields of <paramref name="change"/>; returns null and a reason when the result
    /// would be inconsistent, so a bad command changes nothing.</summary>
    public TankSettings? Apply(TankConfig change, out string? error)
    {
        var next = new TankSettings(
            change.LightOnHours ?? LightOnHours,
            change.LightsOnAtHour ?? LightsOnAtHour,
            change.WaterTemperatureMin ?? WaterTemperatureMin,
            change.WaterTemperatureMax ?? WaterTemperatureMax,
            change.PhMin ?? PhMin,
            change.PhMax ?? PhMax,
            change.HarvestTurbidity ?? HarvestTurbidity,
            change.HarvestTargetTurbidity ?? HarvestTargetTurbidity);
        error = next switch
        {
            { LightOnHours: < 0 or > 24 } => "lightOnHours must be within 0..24",
            { LightsOnAtHour: < 0 or >= 24 } => "lightsOnAtHour must be within 0..24 (exclusive)",
            _ when next.WaterTemperatureMin >= next.WaterTemperatureMax => "waterTemperatureMin must be below waterTemperatureMax",
            { WaterTemperatureMin: < 0 } or { WaterTemperatureMax: > 45 } => "water temperatures must be within 0..45 °C",
            _ when next.PhMin >= next.PhMax => "phMin must be below phMax",
            { PhMin: < 0 } or { PhMax: > 14 } => "pH limits must be within 0..14",
            _ when next.HarvestTargetTurbidity >= next.HarvestTurbidity => "harvestTargetTurbidity must be below harvestTurbidity",
            { HarvestTargetTurbidity: < 0 } => "harvestTargetTurbidity must not be negative",
            _ => null,
        };
        return error is null ? next : null;
    }

    public TankConfig ToConfig() => new(LightOnHours, LightsOnAtHour, WaterTemperatureMin, WaterTemperatureMax, PhMin, PhMax, HarvestTurbidity, HarvestTargetTurbidity);

    public static TankSettings FromConfig(TankConfig? config) =>
        config is null ? new TankSettings() : new TankSettings().Apply(config, out _) ?? new TankSettings();
}
