using System.Globalization;
using System.Text;

namespace Fleet.Cli.Burn;

/// <summary>What the kernel has mounted (/proc/self/mountinfo, which unlike /proc/self/mounts names each mount's
/// device by major:minor, so a mount is found whatever path or symlink was used to mount it).</summary>
internal static class MountTable
{
    public static IReadOnlyList<MountEntry> Read(string path = "/proc/self/mountinfo") =>
        Parse(File.ReadAllText(path));

    public static IReadOnlyList<MountEntry> Parse(string mountinfo)
    {
        var entries = new List<MountEntry>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 6 || separator < 6 || separator + 2 >= fields.Length ||
                !DeviceNumber.TryParse(fields[2], out var device))
            {
                continue;
            }

            entries.Add(new MountEntry(device, Unescape(fields[4]), Unescape(fields[separator + 2]), fields[separator + 1]));
        }

        return entries;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
