using System.Text.Json;

namespace Fleet.Device.Configuration;

/// <summary>Reads <c>ROOT/agent.json</c>. A missing file means the reference board; a malformed one is refused
/// with the file, position and reason, because guessing pins could switch the wrong relay.</summary>
public static class AgentProfileLoader
{
    public const string FileName = "agent.json";

    public static AgentProfile Load(string root)
    {
        var path = Path.Combine(root, FileName);
        if (!File.Exists(path))
        {
            return new AgentProfile();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), DeviceJson.Default.AgentProfile)
                ?? throw new InvalidProfileException($"{path}: the file holds 'null'; write a JSON object (see docs/device.md) or delete it to use the reference board");
        }
        catch (JsonException ex)
        {
            throw new InvalidProfileException($"{path}: {ex.Message} Fix the file (see docs/device.md) or delete it to use the reference board.");
        }
    }
}
