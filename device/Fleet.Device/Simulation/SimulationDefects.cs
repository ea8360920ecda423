using System.Globalization;
using System.Reflection;
using Fleet.Device.Configuration;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Simulation;

/// <summary>Defects a firmware carries into the simulation, so a release can be wrong in the tank and still commit
/// (canary analysis must catch it): set by the running slot's manifest (<c>misc.simulationFaults</c>) and/or baked in
/// at build time (<c>-p:FleetSimulationFaults=…</c>), comma-separated, the two lists combined. docs/firmware.md.
/// <list type="bullet">
/// <item><c>inverted-heater</c>: the heater runs exactly when the firmware means it off.</item>
/// <item><c>ph-drift[:x]</c>: the pH probe drifts by x pH per hour of tank time (default 0.5).</item>
/// <item><c>stuck-water-temperature</c>: the water thermometer keeps its first value.</item>
/// <item><c>jumping-sensor:&lt;name&gt;</c>: every 10th value of that sensor spikes (<see cref="SpikeOf"/>).</item>
/// </list></summary>
public sealed record SimulationDefects(bool InvertedHeater = false, double PhDriftPerHour = 0, bool StuckWaterTemperature = false,
    IReadOnlySet<string>? JumpingSensors = null)
{
    public const string MiscKey = "simulationFaults";
    public const string BuildProperty = "FleetSimulationFaults";
    public const double DefaultPhDriftPerHour = 0.5;

    /// <summary>Every this many values of a jumping sensor, one spikes.</summary>
    public const int SpikeEvery = 10;

    public static readonly SimulationDefects None = new();

    public IReadOnlySet<string> Jumping => JumpingSensors ?? new HashSet<string>();

    public bool Any => InvertedHeater || PhDriftPerHour != 0 || StuckWaterTemperature || Jumping.Count > 0;

    /// <summary>How far a spike throws a sensor: far beyond what the tank can do between two samples, within what the
    /// probe can read.</summary>
    public static double SpikeOf(string sensor) => sensor switch
    {
        SensorNames.WaterTemperature or SensorNames.AirTemperature => 8,
        SensorNames.Humidity => 20,
        SensorNames.Ph => 3,
        SensorNames.Turbidity => 300,
        SensorNames.DissolvedOxygen => 5,
        SensorNames.Light => 5000,
        _ => 0,
    };

    /// <summary>Parses a comma-separated list; null and a message naming the bad item otherwise.</summary>
    public static SimulationDefects? TryParse(string? text, out string? error)
    {
        error = null;
        var defects = None;
        var jumping = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? raw : raw[..colon];
            var arg = colon < 0 ? null : raw[(colon + 1)..];
            switch (name)
            {
                case "inverted-heater" when arg is null:
                    defects = defects with { InvertedHeater = true };
                    break;
                case "stuck-water-temperature" when arg is null:
                    defects = defects with { StuckWaterTemperature = true };
                    break;
                case "ph-drift" when arg is null:
                    defects = defects with { PhDriftPerHour = DefaultPhDriftPerHour };
                    break;
                case "ph-drift" when double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out var perHour) && double.IsFinite(perHour) && Math.Abs(perHour) <= 14:
                    defects = defects with { PhDriftPerHour = perHour };
                    break;
                case "jumping-sensor" when arg is not null && SensorNames.All.Contains(arg) && SpikeOf(arg) > 0:
                    jumping.Add(arg);
                    break;
                default:
                    error = $"'{raw}' is not a simulation fault; use inverted-heater, ph-drift[:pH per hour, at most 14], stuck-water-temperature or jumping-sensor:<{string.Join("|", SensorNames.All.Where(s => SpikeOf(s) > 0))}>";
                    return null;
            }
        }

        return defects with { JumpingSensors = jumping };
    }

    /// <summary>The defects of the running firmware: its manifest's <c>misc.simulationFaults</c> combined with the
    /// build property baked into this assembly. Throws <see cref="InvalidProfileException"/> naming the source of a
    /// bad list.</summary>
    public static SimulationDefects Load(string? manifestMisc, string manifestPath)
    {
        var built = typeof(SimulationDefects).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == BuildProperty)?.Value;
        var fromBuild = TryParse(built, out var buildError)
            ?? throw new InvalidProfileException($"the agent was built with {BuildProperty}={built}: {buildError}; rebuild it with a valid list");
        var fromManifest = TryParse(manifestMisc, out var miscError)
            ?? throw new InvalidProfileException($"{manifestPath}: misc.{MiscKey}: {miscError}; fix the bundle's misc and build it again");
        return new SimulationDefects(
            fromBuild.InvertedHeater || fromManifest.InvertedHeater,
            fromManifest.PhDriftPerHour != 0 ? fromManifest.PhDriftPerHour : fromBuild.PhDriftPerHour,
            fromBuild.StuckWaterTemperature || fromManifest.StuckWaterTemperature,
            new HashSet<string>(fromBuild.Jumping.Concat(fromManifest.Jumping), StringComparer.Ordinal));
    }
}
