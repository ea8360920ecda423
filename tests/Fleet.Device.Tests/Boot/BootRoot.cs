using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Device.Tests.Boot;

/// <summary>A temporary device root (boot.json, slots/, current) with small shell programs standing in for the
/// agent, and a way to run the real <c>device/fleet-boot</c> against it with <c>/bin/sh</c> (dash on Debian).</summary>
internal sealed class BootRoot : IDisposable
{
    private readonly TempDir _dir = new("fleet-boot");

    public string Path => _dir.Path;

    public string BootJson => _dir.Combine("boot.json");

    public string RollbackJson => _dir.Combine("update", "rollback.json");

    /// <summary>Each start of the slot's agent appends one line to <see cref="StartsOf"/>: the arguments it got,
    /// FLEET_SLOT, and the boot.json it saw at that moment; then it exits with <paramref name="exitCode"/>.</summary>
    public void AddAgent(string slot, int exitCode)
    {
        var dir = _dir.Combine("slots", slot);
        Directory.CreateDirectory(dir);
        var program = System.IO.Path.Combine(dir, "Fleet.Device");
        File.WriteAllText(program,
            "#!/bin/sh\n" +
            $"printf '%s|%s|%s\\n' \"$*\" \"$FLEET_SLOT\" \"$(tr -d '\\n' < '{BootJson}')\" >> '{Marker(slot)}'\n" +
            $"exit {exitCode}\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public void AddEmptySlot(string slot) => Directory.CreateDirectory(_dir.Combine("slots", slot));

    public void WriteBoot(string json) => File.WriteAllText(BootJson, json);

    public void LinkCurrent(string slot)
    {
        var link = _dir.Combine("current");
        if (File.Exists(link) || Directory.Exists(link))
        {
            File.Delete(link);
        }

        File.CreateSymbolicLink(link, "slots/" + slot);
    }

    public string? CurrentTarget => new FileInfo(_dir.Combine("current")).LinkTarget;

    /// <summary>One line per start of that slot's agent, in order.</summary>
    public IReadOnlyList<string> StartsOf(string slot) =>
        File.Exists(Marker(slot)) ? File.ReadAllLines(Marker(slot)) : [];

    public BootState ReadBoot()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(BootJson));
        var root = doc.RootElement;
        var trial = root.GetProperty("trial");
        return new BootState(
            root.GetProperty("active").GetString()!,
            root.GetProperty("committed").GetString()!,
            trial.ValueKind == JsonValueKind.Null ? null : trial.GetProperty("slot").GetString(),
            trial.ValueKind == JsonValueKind.Null ? null : trial.GetProperty("attempts").GetInt32());
    }

    public Task<ProcessResult> BootAsync(params string[] args) =>
        ProductProcess.RunAsync("/bin/sh", [RepoPaths.FleetBoot, "--root", Path, .. args], timeout: TimeSpan.FromSeconds(60));

    public Task<ProcessResult> BootWithEnvironmentAsync(IDictionary<string, string?> environment, params string[] args) =>
        ProductProcess.RunAsync("/bin/sh", [RepoPaths.FleetBoot, "--root", Path, .. args], environment: environment,
            timeout: TimeSpan.FromSeconds(60));

    public void Dispose() => _dir.Dispose();

    private string Marker(string slot) => _dir.Combine($"started-{slot}.log");
}
