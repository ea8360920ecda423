using Fleet.Device.Configuration;
using Fleet.Device.Health;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Tests.Health;

/// <summary>Each implausibility check fires on the defect it names and stays quiet under the noise of a live probe.</summary>
public sealed class DetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A water thermometer as the reference board reads it: a slow drift, Gaussian noise of 0.2 % of the
    /// value, in the DS18B20's steps of 1/16 °C.</summary>
    private static IEnumerable<double> LiveWater(int n, int seed, double sigmaFraction = 0.002)
    {
        var random = new Random(seed);
        for (var i = 0; i < n; i++)
        {
            var truth = 26 + (0.3 * Math.Sin(i / 300.0));
            var gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            yield return Math.Round((truth + (truth * sigmaFraction * gauss)) * 16) / 16;
        }
    }

    [Fact]
    public void A_value_that_stops_moving_is_stuck_after_N_samples_and_clears_when_it_moves()
    {
        var stuck = new StuckDetector(noiseFloor: 0, samples: 60);
        for (var i = 0; i < 59; i++)
        {
            Assert.False(stuck.Observe(25.125), $"stuck after only {i + 1} samples");
        }

        Assert.True(stuck.Observe(25.125));
        Assert.True(stuck.Observe(25.125));
        Assert.False(stuck.Observe(25.1875));
    }

    [Fact]
    public void Readings_within_the_noise_floor_count_as_the_same_value()
    {
        var stuck = new StuckDetector(noiseFloor: 0.01, samples: 5);
        foreach (var v in new[] { 7.000, 7.004, 6.995, 7.009 })
        {
            Assert.False(stuck.Observe(v));
        }

        Assert.True(stuck.Observe(7.002));
        Assert.False(stuck.Observe(7.02));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_live_thermometer_is_never_stuck_under_normal_noise(int seed)
    {
        var stuck = new StuckDetector(SensorPlausibility.Defaults[SensorNames.WaterTemperature].NoiseFloor, SensorPlausibility.Defaults[SensorNames.WaterTemperature].StuckSamples);
        Assert.DoesNotContain(LiveWater(20_000, seed), v => stuck.Observe(v));
    }

    [Fact]
    public void A_switched_off_check_never_fires()
    {
        var stuck = new StuckDetector(0, 0);
        Assert.DoesNotContain(Enumerable.Repeat(1.0, 1000), v => stuck.Observe(v));
        var jump = new JumpDetector(0, 0);
        Assert.False(jump.Observe(40, T0));
        Assert.False(jump.Observe(6000, T0.AddSeconds(1)));
    }

    [Fact]
    public void A_change_faster_than_the_physics_allows_is_a_jump_held_for_a_while()
    {
        var jump = new JumpDetector(maxRatePerMinute: 0.5, tolerance: 1.0, holdSamples: 3);
        Assert.False(jump.Observe(25.0, T0));
        Assert.False(jump.Observe(25.4, T0.AddMinutes(1)));
        Assert.True(jump.Observe(33.4, T0.AddMinutes(2)));
        Assert.Equal((25.4, 33.4, 1.0), jump.LastJump);
        Assert.True(jump.Observe(25.5, T0.AddMinutes(3)), "the fall back is a jump too");
        Assert.True(jump.Observe(25.5, T0.AddMinutes(4)));
        Assert.True(jump.Observe(25.5, T0.AddMinutes(5)));
        Assert.True(jump.Observe(25.5, T0.AddMinutes(6)));
        Assert.False(jump.Observe(25.5, T0.AddMinutes(7)));
    }

    [Fact]
    public void A_big_change_over_a_long_gap_of_tank_time_is_no_jump()
    {
        var jump = new JumpDetector(maxRatePerMinute: 0.5, tolerance: 1.0);
        Assert.False(jump.Observe(25.0, T0));
        // Ten minutes of tank time between two samples (a simulation at 600×): 4 °C is what a heater can do.
        Assert.False(jump.Observe(29.0, T0.AddMinutes(10)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_live_thermometer_sampled_every_second_never_jumps_even_with_twice_the_simulated_noise(int seed)
    {
        var p = SensorPlausibility.Defaults[SensorNames.WaterTemperature];
        var jump = new JumpDetector(p.MaxRatePerMinute, p.JumpTolerance);
        var i = 0;
        Assert.DoesNotContain(LiveWater(20_000, seed, sigmaFraction: 0.004), v => jump.Observe(v, T0.AddSeconds(i++)));
    }

    [Fact]
    public void Water_and_air_temperature_disagree_only_after_M_samples_apart()
    {
        var partner = new TemperaturePartnerDetector(maxDifference: 15, samples: 3);
        Assert.False(partner.Observe(40, 21));
        Assert.False(partner.Observe(40, 21));
        Assert.True(partner.Observe(40, 21));
        Assert.False(partner.Observe(30, 21), "a pair within the difference clears it");
    }

    [Fact]
    public void A_heated_tank_in_a_cool_room_does_not_disagree_with_the_air()
    {
        var partner = new TemperaturePartnerDetector(15, 60);
        var random = new Random(4);
        for (var i = 0; i < 10_000; i++)
        {
            // Water held at 24-30 °C, the room swinging 18-24 °C, both noisy.
            var water = 27 + (3 * Math.Sin(i / 500.0)) + (random.NextDouble() - 0.5);
            var air = 21 - (3 * Math.Sin(i / 700.0)) + (random.NextDouble() - 0.5);
            Assert.False(partner.Observe(water, air), $"sample {i}: water {water:0.0} air {air:0.0}");
        }
    }

    [Fact]
    public void Oxygen_rising_above_saturation_in_the_dark_disagrees_with_the_light()
    {
        var oxygen = new OxygenLightPartnerDetector(darkLux: 100, riseTolerance: 0.3, samples: 10);
        var saturation = OxygenPhysics.Saturation(25);
        var fired = false;
        for (var i = 0; i < 10; i++)
        {
            fired = oxygen.Observe(saturation + 1 + (0.1 * i), lux: 40, waterCelsius: 25);
        }

        Assert.True(fired);
        Assert.False(oxygen.Observe(saturation + 2, lux: 6000, waterCelsius: 25), "light clears it");
    }

    [Fact]
    public void Oxygen_falling_after_lights_off_or_recovering_below_saturation_does_not_disagree()
    {
        var oxygen = new OxygenLightPartnerDetector(100, 0.3, 60);
        var saturation = OxygenPhysics.Saturation(26);
        var random = new Random(5);
        var supersaturated = saturation + 3;
        var low = saturation - 4;
        for (var i = 0; i < 2000; i++)
        {
            // After lights-off the day's surplus decays; a depleted tank is aerated back up towards saturation.
            supersaturated = saturation + ((supersaturated - saturation) * 0.995);
            low = saturation + ((low - saturation) * 0.995);
            Assert.False(oxygen.Observe(supersaturated + ((random.NextDouble() - 0.5) * 0.05), 40, 26), $"decay, sample {i}");
            Assert.False(oxygen.Observe(low + ((random.NextDouble() - 0.5) * 0.05), 40, 26), $"recovery, sample {i}");
        }
    }
}
