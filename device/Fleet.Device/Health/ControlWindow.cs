using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Health;

/// <summary>The control figures of the health summary over a rolling window of tank time, kept in
/// <see cref="Buckets"/> fixed slices so a day of 1 Hz readings costs a few kilobytes: per slice the water
/// temperature's summed error, pH in range, the oxygen extremes and the sums of a least-squares fit of turbidity.
/// Each reading is judged against the settings in force when it was taken. Pure: time is the readings' own.</summary>
public sealed class ControlWindow
{
    public const int Buckets = 96;

    private readonly TimeSpan _window;
    private readonly TimeSpan _slice;
    private readonly SortedDictionary<long, Slice> _slices = [];
    private DateTimeOffset? _first;
    private DateTimeOffset _last;

    public ControlWindow(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the health window must be positive");
        }

        _window = window;
        _slice = window / Buckets;
    }

    /// <summary>Takes one reading of a sensor the figures use; others are ignored.</summary>
    public void Add(Reading reading, TankSettings settings)
    {
        if (reading.Sensor is not (SensorNames.WaterTemperature or SensorNames.Ph or SensorNames.DissolvedOxygen or SensorNames.Turbidity))
        {
            return;
        }

        _first ??= reading.Ts;
        if (reading.Ts > _last)
        {
            _last = reading.Ts;
        }

        var key = reading.Ts.UtcTicks / _slice.Ticks;
        if (!_slices.TryGetValue(key, out var s))
        {
            s = new Slice();
            _slices[key] = s;
        }

        var v = reading.Value;
        switch (reading.Sensor)
        {
            case SensorNames.WaterTemperature:
                s.WaterCount++;
                s.WaterError += Math.Max(0, Math.Max(settings.WaterTemperatureMin - v, v - settings.WaterTemperatureMax));
                break;
            case SensorNames.Ph:
                s.PhCount++;
                s.PhInRange += v >= settings.PhMin && v <= settings.PhMax ? 1 : 0;
                break;
            case SensorNames.DissolvedOxygen:
                s.OxygenMin = Math.Min(s.OxygenMin, v);
                s.OxygenMax = Math.Max(s.OxygenMax, v);
                break;
            case SensorNames.Turbidity:
                // Hours since the window's first reading keep the sums well conditioned.
                var h = (reading.Ts - _first.Value).TotalHours;
                s.TurbidityCount++;
                s.SumT += h;
                s.SumV += v;
                s.SumTT += h * h;
                s.SumTV += h * v;
                break;
        }

        Prune();
    }

    /// <summary>The span of tank time the window covers at <paramref name="now"/>: the configured window, or less just
    /// after a start.</summary>
    public TimeSpan Span(DateTimeOffset now) =>
        _first is { } first ? TimeSpan.FromTicks(Math.Clamp((now - first).Ticks, 0, _window.Ticks)) : TimeSpan.Zero;

    public ControlQuality Quality(DateTimeOffset now)
    {
        var from = (now - _window).UtcTicks / _slice.Ticks;
        long water = 0, ph = 0, phIn = 0, turbidity = 0;
        double waterError = 0, oMin = double.PositiveInfinity, oMax = double.NegativeInfinity, st = 0, sv = 0, stt = 0, stv = 0;
        foreach (var (key, s) in _slices)
        {
            if (key < from)
            {
                continue;
            }

            water += s.WaterCount;
            waterError += s.WaterError;
            ph += s.PhCount;
            phIn += s.PhInRange;
            oMin = Math.Min(oMin, s.OxygenMin);
            oMax = Math.Max(oMax, s.OxygenMax);
            turbidity += s.TurbidityCount;
            st += s.SumT;
            sv += s.SumV;
            stt += s.SumTT;
            stv += s.SumTV;
        }

        double? slope = null;
        var denominator = (turbidity * stt) - (st * st);
        if (turbidity >= 2 && denominator > 1e-12)
        {
            slope = ((turbidity * stv) - (st * sv)) / denominator;
        }
        else if (turbidity >= 1)
        {
            slope = 0;
        }

        return new ControlQuality(
            water > 0 ? waterError / water : null,
            ph > 0 ? (double)phIn / ph : null,
            oMax >= oMin ? oMax - oMin : null,
            slope);
    }

    private void Prune()
    {
        var from = (_last - _window).UtcTicks / _slice.Ticks;
        while (_slices.Count > 0 && _slices.First().Key < from)
        {
            _slices.Remove(_slices.First().Key);
        }
    }

    private sealed class Slice
    {
        public long WaterCount;
        public double WaterError;
        public long PhCount;
        public long PhInRange;
        public double OxygenMin = double.PositiveInfinity;
        public double OxygenMax = double.NegativeInfinity;
        public long TurbidityCount;
        public double SumT;
        public double SumV;
        public double SumTT;
        public double SumTV;
    }
}
