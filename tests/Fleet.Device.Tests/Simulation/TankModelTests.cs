using Fleet.Device.Hardware;
using Fleet.Device.Simulation;

namespace Fleet.Device.Tests.Simulation;

public sealed class TankModelTests
{
    private readonly ManualClock _clock = new();
    private readonly HashSet<Actuator> _on = [];

    private TankModel NewModel() => new(_clock, a => _on.Contains(a));

    [Fact]
    public void Heater_warms_the_water_and_without_it_the_water_drifts_to_the_room()
    {
        var heated = NewModel();
        heated.Reset(waterCelsius: 22);
        _on.Add(Actuator.Heater);
        _clock.Advance(TimeSpan.FromHours(1));
        var warm = heated.Observe().WaterCelsius;
        Assert.True(warm > 24, $"heated water reached {warm:0.00} °C");

        _on.Clear();
        var cooling = NewModel();
        cooling.Reset(waterCelsius: 30);
        _clock.Advance(TimeSpan.FromHours(3));
        Assert.True(cooling.Observe().WaterCelsius < 27);
    }

    [Fact]
    public void Lit_culture_grows_raising_turbidity_oxygen_and_ph()
    {
        var model = NewModel();
        model.Reset(waterCelsius: 28);
        _on.UnionWith([Actuator.GrowLight, Actuator.AirPump]);
        var before = model.Observe();

        _clock.Advance(TimeSpan.FromHours(12));
        var after = model.Observe();

        Assert.True(after.Turbidity > before.Turbidity + 20, $"turbidity {before.Turbidity:0} -> {after.Turbidity:0}");
        Assert.True(after.DissolvedOxygen > before.DissolvedOxygen, $"oxygen {before.DissolvedOxygen:0.0} -> {after.DissolvedOxygen:0.0}");
        Assert.True(after.Ph > before.Ph, $"pH {before.Ph:0.00} -> {after.Ph:0.00}");
        Assert.Equal(6000, after.Lux);
    }

    [Fact]
    public void Dark_culture_loses_oxygen()
    {
        var model = NewModel();
        model.Reset(dissolvedOxygen: 10, biomass: 1.5);
        _clock.Advance(TimeSpan.FromHours(4));

        Assert.True(model.Observe().DissolvedOxygen < 10);
    }

    [Fact]
    public void Evaporation_lowers_the_level_below_the_float_and_top_up_refills_it()
    {
        var model = NewModel();
        model.Reset(volumeLitres: 19.05);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.False(model.Observe().Full);

        _on.Add(Actuator.TopUpPump);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(model.Observe().Full);
    }

    [Fact]
    public void Harvest_with_top_up_dilutes_the_culture()
    {
        var model = NewModel();
        model.Reset(biomass: 1.5);
        var before = model.Observe().Turbidity;
        _on.UnionWith([Actuator.HarvestPump, Actuator.TopUpPump]);

        _clock.Advance(TimeSpan.FromMinutes(20));

        Assert.True(model.Observe().Turbidity < before * 0.7);
    }

    [Fact]
    public void Scaled_clock_runs_the_tank_day_faster_than_real_time()
    {
        var real = new ManualClock();
        var fast = new ScaledTimeProvider(60, real);
        var start = fast.GetUtcNow();

        real.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromHours(1), fast.GetUtcNow() - start);
    }
}
