using System.Globalization;
using Fleet.Hub.Telemetry;
using Fleet.Protocol.Messages;

namespace Fleet.Hub.Web;

/// <summary>One line of the device page's health card.</summary>
public sealed record HealthFact(string Label, string Value);

/// <summary>One sensor's verdict as the page shows it; <see cref="Healthy"/> picks the style.</summary>
public sealed record SensorVerdictView(string Sensor, string State, string Detail, bool Healthy);

/// <summary>The latest health summary of a device, ready to render.</summary>
public sealed record DeviceHealthView(string Received, bool Stale, IReadOnlyList<SensorVerdictView> Sensors, IReadOnlyList<HealthFact> Facts)
{
    public int Unhealthy => Sensors.Count(s => !s.Healthy);
}

/// <summary>The device page's rules for health: how old a summary may be before it is called stale, how each figure is
/// worded and rounded, which sensors count as unhealthy. The page only renders the result.</summary>
public static class DeviceHealthPresenter
{
    /// <summary>The agent sends one a minute by default: five missed ones make the latest stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    /// <summary>Null when the device never sent one (an agent without health, or not yet connected).</summary>
    public static DeviceHealthView? Present(StoredHealth? latest, DateTimeOffset now)
    {
        if (latest is null)
        {
            return null;
        }

        var h = latest.Summary;
        var age = now - latest.ReceivedAt;
        var c = h.Control;
        var facts = new List<HealthFact>
        {
            new("Window", $"{Duration(h.WindowSeconds)} of tank time"),
            new("Tank state", h.TankState),
            new("Time in alarm", Duration(h.AlarmSeconds)),
            new("Time in fault", Duration(h.FaultSeconds)),
            new("Water temperature error", c.WaterTemperatureError is { } e ? F($"{e:0.00} °C outside the range") : "no reading"),
            new("pH in range", c.PhInRange is { } p ? F($"{p:P0} of readings") : "no reading"),
            new("Oxygen day/night swing", c.OxygenSwing is { } o ? F($"{o:0.00} mg/L") : "no reading"),
            new("Turbidity slope", c.TurbiditySlope is { } t ? F($"{t:+0.0;-0.0;0.0} NTU/h") : "no reading"),
            new("Restarts", h.Restarts.ToString(CultureInfo.InvariantCulture)),
            new("Reconnects", h.Reconnects.ToString(CultureInfo.InvariantCulture)),
            new("Memory", Bytes(h.MemoryBytes)),
            new("Firmware", h.Firmware ?? "unknown"),
        };
        var sensors = h.Sensors.Select(s => new SensorVerdictView(s.Sensor, s.State, s.Detail ?? "", s.State == HealthStates.Ok)).ToList();
        var received = age < TimeSpan.FromMinutes(1) ? "just now" : $"{Duration(age.TotalSeconds)} ago";
        return new DeviceHealthView($"{received} ({latest.ReceivedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)})", age > StaleAfter, sensors, facts);
    }

    /// <summary>"45 s", "12 min", "3.5 h", "2.0 d".</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 60 => F($"{seconds:0} s"),
        < 3600 => F($"{seconds / 60:0} min"),
        < 2 * 86400 => F($"{seconds / 3600:0.#} h"),
        _ => F($"{seconds / 86400:0.0} d"),
    };

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 * 1024 => F($"{bytes / 1024.0:0} KiB"),
        < 1024L * 1024 * 1024 => F($"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => F($"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
