namespace Fleet.Device.Tank;

/// <summary>The tank's rules as pure functions: which trigger the inputs call for, and what the relays should be in
/// each state. Safety first: a missing critical sensor wins over everything, then out-of-range values.</summary>
public static class TankPolicy
{
    /// <summary>How long the float may stay low with the top-up pump running before it is an alarm.</summary>
    public static readonly TimeSpan LevelAlarmAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long Initializing waits for the critical sensors before declaring a fault (real time: the controller
    /// measures it with its timers, so a simulated tank whose day runs 600 times faster still gives its sensors a minute).</summary>
    public static readonly TimeSpan InitializingTimeout = TimeSpan.FromMinutes(1);

    /// <summary>A harvest that has not reached its target by then is stopped (pump worn, probe fouled).</summary>
    public static readonly TimeSpan HarvestTimeout = TimeSpan.FromHours(2);

    public static (TankTrigger Trigger, string Reason)? Next(TankState state, TankInputs inputs, TankSettings settings, TimeSpan inState, TimeSpan levelLowFor)
    {
        switch (state)
        {
            case TankState.Maintenance:
                return null;
            case TankState.Initializing:
                if (inputs.CriticalPresent)
                {
                    return (TankTrigger.SensorsReady, "critical sensors reading");
                }

                return inState >= InitializingTimeout ? (TankTrigger.CriticalSensorLost, MissingCritical(inputs)) : null;
            case TankState.Fault:
                return inputs.CriticalPresent ? (TankTrigger.SensorsRestored, "critical sensors reading again") : null;
        }

        if (!inputs.CriticalPresent)
        {
            return (TankTrigger.CriticalSensorLost, MissingCritical(inputs));
        }

        var outOfRange = OutOfRange(inputs, settings, levelLowFor);
        if (state == TankState.Alarm)
        {
            return outOfRange is null ? (TankTrigger.BackInRange, "values back in range") : null;
        }

        if (outOfRange is not null)
        {
            return (TankTrigger.OutOfRange, outOfRange);
        }

        return state switch
        {
            TankState.Growing when inputs.Turbidity >= settings.HarvestTurbidity =>
                (TankTrigger.TurbidityHigh, $"turbidity {inputs.Turbidity:0} >= {settings.HarvestTurbidity:0} NTU"),
            TankState.HarvestReady when inputs.Full == true => (TankTrigger.HarvestStart, "tank full, harvesting"),
            TankState.Harvesting when inputs.Turbidity is null => (TankTrigger.HarvestDone, "turbidity unavailable, harvest stopped"),
            TankState.Harvesting when inputs.Turbidity <= settings.HarvestTargetTurbidity =>
                (TankTrigger.HarvestDone, $"turbidity {inputs.Turbidity:0} <= {settings.HarvestTargetTurbidity:0} NTU"),
            TankState.Harvesting when inState >= HarvestTimeout => (TankTrigger.HarvestDone, "harvest timed out"),
            _ => null,
        };
    }

    public static string? OutOfRange(TankInputs inputs, TankSettings settings, TimeSpan levelLowFor)
    {
        var low = settings.WaterTemperatureMin - TankSettings.TemperatureAlarmMargin;
        var high = settings.WaterTemperatureMax + TankSettings.TemperatureAlarmMargin;
        if (inputs.WaterCelsius < low || inputs.WaterCelsius > high)
        {
            return $"water {inputs.WaterCelsius:0.0} °C outside {low:0.#}..{high:0.#} °C";
        }

        if (inputs.Ph < settings.PhMin || inputs.Ph > settings.PhMax)
        {
            return $"pH {inputs.Ph:0.00} outside {settings.PhMin:0.0#}..{settings.PhMax:0.0#}";
        }

        if (inputs.Full == false && levelLowFor >= LevelAlarmAfter)
        {
            return $"level low for {levelLowFor.TotalMinutes:0} min despite top-up";
        }

        return null;
    }

    public static TankOutputs Outputs(TankState state, TankInputs inputs, TankSettings settings, TankOutputs previous)
    {
        var light = settings.LightScheduledAt(inputs.Now);
        var heater = Thermostat(inputs.WaterCelsius, settings, previous.Heater);
        var topUp = inputs.Full == false;
        return state switch
        {
            TankState.Initializing or TankState.Maintenance => TankOutputs.AllOff,
            // Fail-safe: nothing that heats or moves water runs blind; the light is harmless and keeps the culture alive.
            TankState.Fault => TankOutputs.AllOff with { GrowLight = light },
            TankState.Growing or TankState.HarvestReady => new TankOutputs(light, heater, true, topUp, false),
            TankState.Harvesting => new TankOutputs(light, heater, true, true, true),
            TankState.Alarm => new TankOutputs(
                GrowLight: light && !(inputs.WaterCelsius > settings.WaterTemperatureMax) && !(inputs.Ph > settings.PhMax),
                Heater: inputs.WaterCelsius < settings.WaterTemperatureMin,
                AirPump: true,
                TopUpPump: topUp,
                HarvestPump: false),
            _ => TankOutputs.AllOff,
        };
    }

    /// <summary>On below min + 0.5 °C, off from min + 1.5 °C, unchanged between (hysteresis spares the relay).</summary>
    private static bool Thermostat(double? water, TankSettings settings, bool wasOn) =>
        water switch
        {
            null => false,
            var w when w < settings.WaterTemperatureMin + 0.5 => true,
            var w when w >= settings.WaterTemperatureMin + 1.5 => false,
            _ => wasOn,
        };

    private static string MissingCritical(TankInputs inputs)
    {
        var missing = new[]
        {
            inputs.WaterCelsius is null ? "water_temperature" : null,
            inputs.Full is null ? "water_level" : null,
        }.Where(s => s is not null).ToList();
        var absent = missing.Count > 0 ? "no fresh value from " + string.Join(" and ", missing) : null;
        var distrusted = inputs.WaterCelsiusDistrusted is { } d ? "implausible " + d : null;
        return string.Join("; ", new[] { absent, distrusted }.Where(s => s is not null));
    }
}
