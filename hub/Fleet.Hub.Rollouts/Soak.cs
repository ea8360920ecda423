using System.Globalization;

namespace Fleet.Hub.Rollouts;

/// <summary>One sensor verdict of a health summary that is not <c>ok</c>.</summary>
public sealed record SoakSensor(string Sensor, string State, string? Detail);

/// <summary>What the soak reads of one stored health summary. <see cref="ReceivedAt"/> is the hub's clock.</summary>
public sealed record SoakHealth(
    DateTimeOffset ReceivedAt,
    string TankState,
    double FaultSeconds,
    double? WaterTemperatureError,
    double? PhInRange,
    IReadOnlyList<SoakSensor> SensorFaults);

/// <summary>A soaking attempt and what the hub knows of its device since the soak began. <see cref="Until"/> is when the
/// current soak window ends (it moves when the device reconnects, see <see cref="SoakJudge"/>);
/// <see cref="LastDisconnectAt"/>/<see cref="LastConnectAt"/> are the hub's newest presence records of the device.
/// <see cref="Health"/> holds the summaries received from the new firmware since <see cref="StartedAt"/>.</summary>
public sealed record SoakFacts(
    DateTimeOffset StartedAt,
    DateTimeOffset Until,
    int Restarts,
    bool Online,
    DateTimeOffset? LastDisconnectAt,
    DateTimeOffset? LastConnectAt,
    IReadOnlyList<SoakHealth> Health);

/// <summary>The thresholds of a soak. A sensor not <c>ok</c>, a tank in <c>fault</c>, a mean water-temperature error
/// above <see cref="MaxWaterTemperatureError"/> °C or pH in range less than <see cref="MinPhInRange"/> of the time fails
/// the attempt at once. A device offline for <see cref="OfflineLimit"/> fails; one that reconnects starts its window
/// over, at most <see cref="MaxRestarts"/> times.</summary>
public sealed record SoakLimits(TimeSpan OfflineLimit, double MaxWaterTemperatureError = 1.0, double MinPhInRange = 0.5, int MaxRestarts = 3)
{
    public static SoakLimits Default { get; } = new(TimeSpan.FromMinutes(30));
}

/// <summary>What to do with a soaking attempt now.</summary>
public abstract record SoakVerdict
{
    private SoakVerdict()
    {
    }

    /// <summary>Keep soaking; <paramref name="Note"/> says why it is not counting down, when it is not (offline).</summary>
    public sealed record Continue(string? Note = null) : SoakVerdict;

    /// <summary>The device disconnected and is back: its window starts over and ends at <paramref name="Until"/>.</summary>
    public sealed record Restart(DateTimeOffset Until, string Reason) : SoakVerdict;

    /// <summary>Connected and healthy through the whole window: the attempt succeeded.</summary>
    public sealed record Pass : SoakVerdict;

    /// <summary>The attempt failed, of <paramref name="Kind"/>, with a reason naming the signal.</summary>
    public sealed record Fail(AttemptFailure Kind, string Reason) : SoakVerdict;
}

/// <summary>Decides a soaking attempt from health summaries and presence, as a pure function. The rule, in order:
/// <list type="number">
/// <item>any summary since the soak began that is unhealthy fails it, naming the signal;</item>
/// <item>offline: it waits (never counted as succeeded); offline for <see cref="SoakLimits.OfflineLimit"/> fails it
/// (<see cref="AttemptFailure.Offline"/>);</item>
/// <item>back online after a disconnect inside the window: the window starts over from the reconnect, at most
/// <see cref="SoakLimits.MaxRestarts"/> times, then it fails (<see cref="AttemptFailure.Offline"/>);</item>
/// <item>the window is over: it passes when at least one summary came from the new firmware, else fails
/// (<see cref="AttemptFailure.NoHealth"/>).</item>
/// </list></summary>
public static class SoakJudge
{
    public static SoakVerdict Judge(SoakFacts facts, TimeSpan soak, SoakLimits limits, DateTimeOffset now)
    {
        foreach (var h in facts.Health.Where(h => h.ReceivedAt >= facts.StartedAt).OrderBy(h => h.ReceivedAt))
        {
            if (Unhealthy(h, limits) is { } failure)
            {
                return failure;
            }
        }

        if (!facts.Online)
        {
            var since = facts.LastDisconnectAt is { } d && d >= facts.StartedAt ? d : facts.StartedAt;
            if (now - since >= limits.OfflineLimit)
            {
                return new SoakVerdict.Fail(AttemptFailure.Offline,
                    $"offline during its soak since {Stamp(since)}, longer than the {Minutes(limits.OfflineLimit)} limit");
            }

            return new SoakVerdict.Continue($"offline since {Stamp(since)}: its soak starts over when it reconnects");
        }

        var windowStart = facts.Until - soak;
        if (facts.LastDisconnectAt is { } gone && gone >= windowStart)
        {
            var restarts = facts.Restarts + 1;
            if (restarts > limits.MaxRestarts)
            {
                return new SoakVerdict.Fail(AttemptFailure.Offline,
                    $"disconnected {restarts} times during its soak (at most {limits.MaxRestarts} reconnects are allowed)");
            }

            var back = facts.LastConnectAt is { } c && c > gone ? c : now;
            return new SoakVerdict.Restart(back + soak, $"disconnected at {Stamp(gone)} during its soak; the window starts over from {Stamp(back)}");
        }

        if (now < facts.Until)
        {
            return new SoakVerdict.Continue();
        }

        return facts.Health.Any(h => h.ReceivedAt >= facts.StartedAt)
            ? new SoakVerdict.Pass()
            : new SoakVerdict.Fail(AttemptFailure.NoHealth,
                $"no health summary from the new firmware during its {Minutes(soak)} soak, so its health is unproven");
    }

    /// <summary>The first unhealthy signal of one summary, or null.</summary>
    public static SoakVerdict.Fail? Unhealthy(SoakHealth h, SoakLimits limits)
    {
        if (h.SensorFaults.FirstOrDefault() is { } sensor)
        {
            return new SoakVerdict.Fail(AttemptFailure.SensorFault,
                $"sensor fault: {sensor.Sensor} {sensor.State}{(string.IsNullOrEmpty(sensor.Detail) ? "" : $" ({sensor.Detail})")} at {Stamp(h.ReceivedAt)}");
        }

        if (h.TankState == "fault" || h.FaultSeconds > 0)
        {
            return new SoakVerdict.Fail(AttemptFailure.Unhealthy,
                $"unhealthy: tank_state fault ({h.FaultSeconds.ToString("0", CultureInfo.InvariantCulture)} s in fault) at {Stamp(h.ReceivedAt)}");
        }

        if (h.WaterTemperatureError is { } error && error > limits.MaxWaterTemperatureError)
        {
            return new SoakVerdict.Fail(AttemptFailure.Unhealthy,
                $"unhealthy: water_temperature_error {error.ToString("0.00", CultureInfo.InvariantCulture)} °C outside its range (limit {limits.MaxWaterTemperatureError.ToString("0.00", CultureInfo.InvariantCulture)} °C) at {Stamp(h.ReceivedAt)}");
        }

        if (h.PhInRange is { } ph && ph < limits.MinPhInRange)
        {
            return new SoakVerdict.Fail(AttemptFailure.Unhealthy,
                $"unhealthy: ph_in_range {ph.ToString("0.00", CultureInfo.InvariantCulture)} (limit {limits.MinPhInRange.ToString("0.00", CultureInfo.InvariantCulture)}) at {Stamp(h.ReceivedAt)}");
        }

        return null;
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1
        ? $"{t.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min"
        : $"{t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s";
}
