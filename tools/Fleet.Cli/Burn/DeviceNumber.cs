using System.Globalization;

namespace Fleet.Cli.Burn;

/// <summary>A block device's major:minor numbers, the name the kernel uses in mountinfo and /sys/dev/block.</summary>
internal readonly record struct DeviceNumber(int Major, int Minor)
{
    public static bool TryParse(string text, out DeviceNumber number)
    {
        number = default;
        var colon = text.IndexOf(':');
        if (colon <= 0 ||
            !int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        number = new DeviceNumber(major, minor);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}:{Minor}");
}
