using System.Globalization;
using System.Text.Json;
using Fleet.Device.Configuration;
using Fleet.Protocol.Files;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Storage;

/// <summary>Telemetry batches waiting for the hub, one file per batch (<c>spool/{sequence}.json</c>, written
/// atomically), oldest first. Bounded: past <see cref="Capacity"/> the oldest batch is deleted and its readings
/// are added to the cumulative drop count that every later batch carries. The next sequence number is kept in
/// <c>spool/state.json</c> and never goes back, even after a crash between the two writes.</summary>
public sealed class TelemetrySpool
{
    private readonly string _dir;
    private readonly string _stateFile;
    private readonly SortedSet<long> _queued = [];
    private readonly Lock _gate = new();
    private SpoolState _state;

    public TelemetrySpool(string dir, int capacity)
    {
        _dir = dir;
        _stateFile = Path.Combine(dir, "state.json");
        Capacity = Math.Max(1, capacity);
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                _queued.Add(seq);
            }
        }

        _state = ReadState() ?? new SpoolState(1, 0);
        if (_queued.Count > 0 && _queued.Max >= _state.NextSequence)
        {
            _state = _state with { NextSequence = _queued.Max + 1 };
        }
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count;
            }
        }
    }

    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _state.Dropped;
            }
        }
    }

    public long NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _state.NextSequence;
            }
        }
    }

    /// <summary>Raised after a batch is stored (the link wakes its sender).</summary>
    public event Action? Appended;

    public TelemetryBatch Append(IReadOnlyList<Reading> readings)
    {
        TelemetryBatch batch;
        lock (_gate)
        {
            var seq = _state.NextSequence;
            // Persist the advanced counter first: a crash after this wastes a number, never reuses one.
            _state = _state with { NextSequence = seq + 1 };
            WriteState();
            while (_queued.Count >= Capacity)
            {
                DropOldestLocked();
            }

            batch = new TelemetryBatch(seq, readings, _state.Dropped);
            AtomicFile.Write(FileOf(seq), FleetJson.Serialize(batch), AtomicFile.PrivateMode, createDirectory: true);
            _queued.Add(seq);
        }

        Appended?.Invoke();
        return batch;
    }

    /// <summary>The oldest stored batch (its exact bytes, as they will be published).</summary>
    public bool TryPeekOldest(out long sequence, out byte[] payload)
    {
        lock (_gate)
        {
            while (_queued.Count > 0)
            {
                sequence = _queued.Min;
                try
                {
                    payload = File.ReadAllBytes(FileOf(sequence));
                    return true;
                }
                catch (FileNotFoundException)
                {
                    _queued.Remove(sequence);
                }
            }
        }

        sequence = 0;
        payload = [];
        return false;
    }

    /// <summary>Called once the hub acknowledged the batch (PUBACK).</summary>
    public void Remove(long sequence)
    {
        lock (_gate)
        {
            if (_queued.Remove(sequence))
            {
                File.Delete(FileOf(sequence));
            }
        }
    }

    private void DropOldestLocked()
    {
        var oldest = _queued.Min;
        var lost = 0;
        try
        {
            var batch = FleetJson.TryDeserialize<TelemetryBatch>(File.ReadAllBytes(FileOf(oldest)));
            lost = batch?.Readings.Count ?? 0;
        }
        catch (IOException)
        {
        }

        File.Delete(FileOf(oldest));
        _queued.Remove(oldest);
        _state = _state with { Dropped = _state.Dropped + lost };
        WriteState();
    }

    private string FileOf(long seq) => Path.Combine(_dir, seq.ToString("D20", CultureInfo.InvariantCulture) + ".json");

    private SpoolState? ReadState()
    {
        try
        {
            return File.Exists(_stateFile) ? JsonSerializer.Deserialize(File.ReadAllBytes(_stateFile), DeviceJson.Default.SpoolState) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void WriteState() => AtomicFile.Write(_stateFile, JsonSerializer.SerializeToUtf8Bytes(_state, DeviceJson.Default.SpoolState), AtomicFile.PrivateMode, createDirectory: true);
}
