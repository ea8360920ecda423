using System.Collections.Concurrent;
using System.Net;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>Failed sign-ins counted per (client address, user name), instead of Identity's lock on the user: a
/// client that keeps guessing admin's password only shuts itself out, while admin still signs in from elsewhere.
/// The first <see cref="FreeFailures"/> failures cost nothing; each further one doubles the wait before that
/// client may try that user again (<see cref="FirstDelay"/>, up to <see cref="MaxDelay"/>). A success clears it.
/// IPv6 clients count per /64 (one site's prefix), so hopping addresses inside it does not reset the count.</summary>
internal sealed class SignInBackoff(TimeProvider clock)
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    /// <summary>Past this many (client, user) pairs the oldest are forgotten, so a spray of names stays bounded in memory.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(string Client, string User), Entry> _entries = new();

    private sealed record Entry(int Failures, DateTimeOffset Until, DateTimeOffset Last);

    /// <summary>How long this client must still wait before trying this user again; zero when it may try now.</summary>
    public TimeSpan Wait(IPAddress? address, string user)
    {
        if (!_entries.TryGetValue(Key(address, user), out var entry))
        {
            return TimeSpan.Zero;
        }

        var left = entry.Until - clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    public void Failed(IPAddress? address, string user)
    {
        var now = clock.GetUtcNow();
        _entries.AddOrUpdate(Key(address, user),
            _ => new Entry(1, now, now),
            (_, old) =>
            {
                // A pair quiet for longer than the longest wait starts over.
                var failures = now - old.Last > MaxDelay ? 1 : old.Failures + 1;
                return new Entry(failures, now + Delay(failures), now);
            });
        if (_entries.Count > MaxEntries)
        {
            Trim(now);
        }
    }

    /// <summary>(client, user) pairs tracked now.</summary>
    public int Count => _entries.Count;

    public void Succeeded(IPAddress? address, string user) => _entries.TryRemove(Key(address, user), out _);

    /// <summary>The wait after the given number of consecutive failures.</summary>
    public static TimeSpan Delay(int failures)
    {
        if (failures <= FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(failures - FreeFailures - 1, 16);
        var delay = FirstDelay * (1L << doublings);
        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>The client as counted: an IPv4 address, or the /64 of an IPv6 one.</summary>
    public static string Client(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static (string, string) Key(IPAddress? address, string user) => (Client(address), user.ToUpperInvariant());

    private void Trim(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Until <= now && now - entry.Last > MaxDelay)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count > MaxEntries)
        {
            foreach (var (key, _) in _entries.OrderBy(e => e.Value.Last).Take(_entries.Count - MaxEntries / 2).ToList())
            {
                _entries.TryRemove(key, out _);
            }
        }
    }
}
