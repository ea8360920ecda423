using Fleet.Hub.Telemetry;
using Fleet.Hub.Web;
using Fleet.Protocol.Messages;

namespace Fleet.Hub.Tests.Telemetry;

public sealed class DeviceHealthPresenterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static StoredHealth Stored(DateTimeOffset receivedAt, ControlQuality? control = null) => new(receivedAt, new HealthSummary(
        receivedAt, "fw-1", 86_400,
        [new SensorHealth(SensorNames.WaterTemperature, HealthStates.Stuck, "the same value 25.125 for 60 samples"), new SensorHealth(SensorNames.Ph, HealthStates.Ok)],
        "fault", 90, 7200, control ?? new ControlQuality(1.234, 0.875, 3.456, -12.34), 3, 1, 50L * 1024 * 1024));

    [Fact]
    public void Shows_sensor_verdicts_control_figures_counters_and_memory()
    {
        var view = DeviceHealthPresenter.Present(Stored(Now.AddSeconds(-20)), Now)!;

        Assert.False(view.Stale);
        Assert.StartsWith("just now", view.Received);
        Assert.Equal(1, view.Unhealthy);
        Assert.Equal(new SensorVerdictView(SensorNames.WaterTemperature, HealthStates.Stuck, "the same value 25.125 for 60 samples", false), view.Sensors[0]);
        Assert.True(view.Sensors[1].Healthy);
        var facts = view.Facts.ToDictionary(f => f.Label, f => f.Value);
        Assert.Equal("24 h of tank time", facts["Window"]);
        Assert.Equal("2 min", facts["Time in alarm"]);
        Assert.Equal("2 h", facts["Time in fault"]);
        Assert.Equal("1.23 °C outside the range", facts["Water temperature error"]);
        Assert.Equal("88% of readings", facts["pH in range"].Replace(" %", "%", StringComparison.Ordinal));
        Assert.Equal("3.46 mg/L", facts["Oxygen day/night swing"]);
        Assert.Equal("-12.3 NTU/h", facts["Turbidity slope"]);
        Assert.Equal("3", facts["Restarts"]);
        Assert.Equal("1", facts["Reconnects"]);
        Assert.Equal("50.0 MiB", facts["Memory"]);
    }

    [Fact]
    public void A_summary_older_than_five_minutes_is_stale_and_missing_figures_say_so()
    {
        var view = DeviceHealthPresenter.Present(Stored(Now.AddMinutes(-6), new ControlQuality(null, null, null, null)), Now)!;

        Assert.True(view.Stale);
        Assert.StartsWith("6 min ago", view.Received);
        Assert.All(view.Facts.Where(f => f.Label is "Water temperature error" or "pH in range" or "Oxygen day/night swing" or "Turbidity slope"),
            f => Assert.Equal("no reading", f.Value));
        Assert.Null(DeviceHealthPresenter.Present(null, Now));
    }
}
