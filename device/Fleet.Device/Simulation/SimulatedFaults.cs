using System.Collections.Concurrent;
using System.Text.Json;
using Fleet.Device.Configuration;

namespace Fleet.Device.Simulation;

/// <summary>Faults switched on per chip. In a running <c>--simulate</c> agent they come from
/// <c>ROOT/sim/faults.json</c> (e.g. <c>{"Adc":"Nack"}</c>), re-read when the file changes, so tests and demos can
/// break a chip in a live process. <see cref="Defects"/> are the ones the running firmware carries
/// (<see cref="SimulationDefects"/>): fixed for the process, and a stuck water thermometer among them stays stuck
/// whatever faults.json says.</summary>
public sealed class SimulatedFaults
{
    private readonly ConcurrentDictionary<ChipId, ChipFault> _faults = new();
    private readonly string? _file;
    private DateTime _fileStamp = DateTime.MinValue;
    private long _nextCheck;

    public SimulatedFaults(string? file = null, SimulationDefects? defects = null)
    {
        _file = file;
        Defects = defects ?? SimulationDefects.None;
    }

    public SimulationDefects Defects { get; }

    public void Set(ChipId chip, ChipFault fault) => _faults[chip] = fault;

    public ChipFault Of(ChipId chip)
    {
        Refresh();
        var fault = _faults.TryGetValue(chip, out var f) ? f : ChipFault.None;
        return fault == ChipFault.None && chip == ChipId.WaterThermometer && Defects.StuckWaterTemperature ? ChipFault.Stuck : fault;
    }

    private void Refresh()
    {
        if (_file is null)
        {
            return;
        }

        // At most a stat() every 500 ms: chips are read several times per second.
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextCheck);
        if (now < next || Interlocked.CompareExchange(ref _nextCheck, now + 500, next) != next)
        {
            return;
        }

        try
        {
            var stamp = File.Exists(_file) ? File.GetLastWriteTimeUtc(_file) : DateTime.MinValue;
            if (stamp == _fileStamp)
            {
                return;
            }

            _fileStamp = stamp;
            var map = stamp == DateTime.MinValue
                ? []
                : JsonSerializer.Deserialize(File.ReadAllBytes(_file), DeviceJson.Default.DictionaryStringString) ?? [];
            foreach (var chip in Enum.GetValues<ChipId>())
            {
                _faults[chip] = map.TryGetValue(chip.ToString(), out var f) && Enum.TryParse<ChipFault>(f, ignoreCase: true, out var fault)
                    ? fault
                    : ChipFault.None;
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // Half-written by the tester; the next check reads it again.
            _fileStamp = DateTime.MinValue;
        }
    }
}
