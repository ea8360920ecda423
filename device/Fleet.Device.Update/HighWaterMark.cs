using System.Text.Json;
using Fleet.Protocol.Files;
using Semver;

namespace Fleet.Device.Update;

/// <summary><c>update/high-water.json</c>: the last release this device committed, <c>{"version","uuid"}</c>. Every
/// install is checked against it (a lower version needs a downgrade permit; an equal-precedence version must be the
/// same release), so the mark only moves at a commit. A trial that fleet-boot reverts commits nothing, so after an
/// automatic rollback the versions below the mark stay refused.</summary>
public sealed class HighWaterMark(DeviceRoot root)
{
    public sealed record Mark(SemVersion Version, string Uuid);

    /// <summary>The mark, or the running slot's release on a device that has none yet (upgraded in the field).</summary>
    public Mark? Read(string runningSlot)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(root.HighWater));
            var version = doc.RootElement.GetProperty("version").GetString();
            var uuid = doc.RootElement.GetProperty("uuid").GetString();
            if (version is not null && uuid is not null && SemVersion.TryParse(version, SemVersionStyles.Strict, out var v))
            {
                return new Mark(v, uuid);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Missing or damaged: fall back to what the running slot holds, which a commit put there.
        }

        var installed = InstalledFirmware.Read(root, runningSlot);
        return installed is null ? null : new Mark(installed.Version, installed.Id);
    }

    public void Record(string version, string uuid)
    {
        Directory.CreateDirectory(root.UpdateDir);
        AtomicFile.Write(root.HighWater, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["version"] = version, ["uuid"] = uuid }), AtomicFile.PrivateMode);
    }
}
