using Fleet.Device.Tank;

namespace Fleet.Device.Health;

/// <summary>The tank's states over the health window, in tank time: how long it spent in alarm and in fault.</summary>
public sealed class TankTimeline(TimeSpan window)
{
    private readonly List<(TankState State, DateTimeOffset Since)> _entries = [];

    public TankState? Current => _entries.Count > 0 ? _entries[^1].State : null;

    public void Enter(TankState state, DateTimeOffset at)
    {
        if (Current == state)
        {
            return;
        }

        _entries.Add((state, at));
        // Keep the entry that was current at the window's start.
        while (_entries.Count > 1 && _entries[1].Since <= at - window)
        {
            _entries.RemoveAt(0);
        }
    }

    /// <summary>Tank time in <paramref name="state"/> between <paramref name="from"/> and <paramref name="now"/>.</summary>
    public TimeSpan TimeIn(TankState state, DateTimeOffset from, DateTimeOffset now)
    {
        var total = TimeSpan.Zero;
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].State != state)
            {
                continue;
            }

            var start = _entries[i].Since > from ? _entries[i].Since : from;
            var end = i + 1 < _entries.Count ? _entries[i + 1].Since : now;
            if (end > now)
            {
                end = now;
            }

            if (end > start)
            {
                total += end - start;
            }
        }

        return total;
    }
}
