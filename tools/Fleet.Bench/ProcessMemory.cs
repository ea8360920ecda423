namespace Fleet.Bench;

/// <summary>Peak resident set size from /proc/self/status (VmHWM), of the whole process, runtime included.</summary>
internal static class ProcessMemory
{
    public static long PeakBytes() => ReadKib("VmHWM:") * 1024;

    public static long CurrentBytes() => ReadKib("VmRSS:") * 1024;

    private static long ReadKib(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
