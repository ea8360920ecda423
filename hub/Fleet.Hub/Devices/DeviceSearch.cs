using System.Text;
using Fleet.Hub.Hosting;

namespace Fleet.Hub.Devices;

/// <summary>A page of the device list: filters, and where the previous page ended. Devices are ordered by serial, and
/// a page starts after <see cref="After"/> (keyset paging: a page costs the same at 50,000 devices as at 50, and a
/// device added or removed meanwhile never shifts another onto the wrong page).</summary>
internal sealed record DeviceSearch(
    string? Product = null, string? SerialPrefix = null, string? Tag = null, string? Version = null, bool? Online = null, string? TankState = null,
    string? After = null, int Limit = DeviceSearch.DefaultLimit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Reads the API's query parameters; a bad limit or cursor is one clear failure.</summary>
    public static Outcome<DeviceSearch> From(string? product, string? serial, string? tag, string? version, bool? online, string? state, string? cursor, int? limit)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return new Failure(FailureKind.Invalid, "bad_limit", $"limit {limit} is out of range; give 1-{MaxLimit} (default {DefaultLimit})");
        }

        string? after = null;
        if (cursor is not null)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/').PadRight((cursor.Length + 3) / 4 * 4, '=')));
            }
            catch (FormatException)
            {
                return new Failure(FailureKind.Invalid, "bad_cursor", $"cursor '{cursor}' is not one this hub gave; pass the 'next' cursor of the previous page, or none for the first");
            }

            if (!Names.IsValid(after))
            {
                return new Failure(FailureKind.Invalid, "bad_cursor", $"cursor '{cursor}' is not one this hub gave; pass the 'next' cursor of the previous page, or none for the first");
            }
        }

        return new DeviceSearch(product, serial, tag, version, online, state, after, limit ?? DefaultLimit);
    }

    /// <summary>The cursor that starts the page after the one ending at <paramref name="serial"/>.</summary>
    public static string CursorAfter(string serial) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(serial)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One page of devices, and the cursor of the next (null on the last page).</summary>
internal sealed record DevicePage(IReadOnlyList<Device> Items, string? Next);
