using System.Text.Json;
using Fleet.Device.Configuration;
using Fleet.Protocol.Files;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Tank;

/// <summary><c>ROOT/tank.json</c> (state, since, harvest count) and <c>ROOT/tank-config.json</c> (effective
/// <see cref="TankConfig"/>), both replaced atomically. An unreadable file is treated as absent: the tank then
/// starts in Initializing with default settings, which is safe.</summary>
public sealed class TankStore(string root)
{
    private readonly string _state = Path.Combine(root, "tank.json");
    private readonly string _config = Path.Combine(root, "tank-config.json");

    public PersistedTank? LoadState() => Read(_state, DeviceJson.Default.PersistedTank);

    public void SaveState(PersistedTank tank) => AtomicFile.Write(_state, JsonSerializer.SerializeToUtf8Bytes(tank, DeviceJson.Default.PersistedTank), AtomicFile.PrivateMode, createDirectory: true);

    public TankSettings LoadSettings() => TankSettings.FromConfig(Read(_config, DeviceJson.Default.TankConfig));

    public void SaveSettings(TankSettings settings) =>
        AtomicFile.Write(_config, JsonSerializer.SerializeToUtf8Bytes(settings.ToConfig(), DeviceJson.Default.TankConfig), AtomicFile.PrivateMode, createDirectory: true);

    private static T? Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), type) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
