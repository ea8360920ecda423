namespace Fleet.Testing;

/// <summary>Reads the values of one key in one section of a systemd unit file (comments and blanks skipped).</summary>
public static class UnitFile
{
    public static IReadOnlyList<string> Values(string path, string section, string key)
    {
        var values = new List<string>();
        var current = string.Empty;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq > 0 && current == section && line[..eq].Trim() == key)
            {
                values.Add(line[(eq + 1)..].Trim());
            }
        }

        return values;
    }
}
