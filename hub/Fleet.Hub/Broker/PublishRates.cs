using System.Collections.Concurrent;
using Fleet.Protocol;

namespace Fleet.Hub.Broker;

/// <summary>Per-device token buckets, one per topic kind (<see cref="DeviceTopicLimits"/>). A device over its rate
/// is throttled: its publish waits for the next token, which slows only its own session. A device that stays over
/// its rate for <see cref="MaxThrottled"/> is to be disconnected. Buckets live as long as the hub, one per registered device and kind, so reconnecting does
/// not refill them.</summary>
internal sealed class PublishRates(TimeProvider clock)
{
    public static readonly TimeSpan MaxThrottled = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string Serial, string Kind), Bucket> _buckets = new();

    /// <summary>How long the publish must wait (zero when a token is free), or null when the device has been
    /// throttled without a break for longer than <see cref="MaxThrottled"/>.</summary>
    public TimeSpan? Admit(string serial, string kind)
    {
        var limits = DeviceTopicLimits.For(kind);
        if (limits is null)
        {
            return TimeSpan.Zero;
        }

        var bucket = _buckets.GetOrAdd((serial, kind), _ => new Bucket(limits.Burst, clock.GetUtcNow()));
        lock (bucket)
        {
            var now = clock.GetUtcNow();
            bucket.Tokens = Math.Min(limits.Burst, bucket.Tokens + ((now - bucket.At).TotalSeconds * limits.PerSecond));
            bucket.At = now;
            bucket.Tokens -= 1;
            if (bucket.Tokens >= 0)
            {
                bucket.ThrottledSince = null;
                return TimeSpan.Zero;
            }

            bucket.ThrottledSince ??= now;
            if (now - bucket.ThrottledSince > MaxThrottled)
            {
                bucket.Tokens = 0;
                bucket.ThrottledSince = null;
                return null;
            }

            return TimeSpan.FromSeconds(-bucket.Tokens / limits.PerSecond);
        }
    }

    /// <summary>For a message the broker has already taken (external mode): true when a token is free (and takes
    /// it); false when the device is over its rate. A refusal takes nothing, so a flood runs up no debt.</summary>
    public bool TryTake(string serial, string kind, int scale = 1)
    {
        var limits = DeviceTopicLimits.For(kind);
        if (limits is null)
        {
            return true;
        }

        var (burst, perSecond) = (limits.Burst * scale, limits.PerSecond * scale);
        var bucket = _buckets.GetOrAdd((serial, scale == 1 ? kind : $"{kind}*{scale}"), _ => new Bucket(burst, clock.GetUtcNow()));
        lock (bucket)
        {
            var now = clock.GetUtcNow();
            bucket.Tokens = Math.Min(burst, bucket.Tokens + ((now - bucket.At).TotalSeconds * perSecond));
            bucket.At = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private sealed class Bucket(double tokens, DateTimeOffset at)
    {
        public double Tokens { get; set; } = tokens;

        public DateTimeOffset At { get; set; } = at;

        public DateTimeOffset? ThrottledSince { get; set; }
    }
}
