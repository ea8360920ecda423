using System.Globalization;

namespace Fleet.Ui.Tests;

/// <summary>Reads the live process tree from /proc: which processes descend from a PID, and which are still running.</summary>
internal static class ProcessTree
{
    public static IReadOnlySet<int> DescendantsOf(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p) || ParentOf(p) is not { } parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(p);
        }

        var found = new HashSet<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var p))
        {
            foreach (var c in children.GetValueOrDefault(p) ?? [])
            {
                if (found.Add(c))
                {
                    queue.Enqueue(c);
                }
            }
        }

        return found;
    }

    /// <summary>Running means present and not a zombie waiting to be reaped.</summary>
    public static bool IsRunning(int pid) => State(pid) is { } s && s != 'Z' && s != 'X';

    public static string Describe(int pid)
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (IOException)
        {
            return $"{pid} (gone)";
        }
    }

    private static int? ParentOf(int pid) =>
        StatFields(pid) is { } f && int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;

    private static char? State(int pid) => StatFields(pid) is { } f ? f[0][0] : null;

    /// <summary>The fields after "(comm)": the command name may itself contain spaces and parentheses.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
