using System.Text.Json;
using Fleet.Device.Configuration;
using Fleet.Protocol.Files;

namespace Fleet.Device.Health;

/// <summary><c>ROOT/health.json</c>: the agent starts counted on this device since it was provisioned (the file lives
/// in the device root, which provisioning creates and a slot switch keeps). An unreadable file counts from zero again.</summary>
public sealed record PersistedHealth(long Restarts);

public static class RestartCounter
{
    public const string FileName = "health.json";

    /// <summary>Counts this start and returns the total.</summary>
    public static long CountStart(string root)
    {
        var path = Path.Combine(root, FileName);
        long previous = 0;
        try
        {
            if (File.Exists(path))
            {
                previous = JsonSerializer.Deserialize(File.ReadAllBytes(path), DeviceJson.Default.PersistedHealth)?.Restarts ?? 0;
            }
        }
        catch (JsonException)
        {
        }

        var count = Math.Max(0, previous) + 1;
        try
        {
            AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(new PersistedHealth(count), DeviceJson.Default.PersistedHealth), AtomicFile.PrivateMode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only root must not stop the tank; the count is then this start's.
        }

        return count;
    }
}
