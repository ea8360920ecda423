using Fleet.Device.Storage;
using Fleet.Protocol.Messages;
using Fleet.Testing;

namespace Fleet.Device.Tests.Storage;

public sealed class TelemetrySpoolTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Batches_come_back_oldest_first_and_leave_once_acknowledged()
    {
        var spool = new TelemetrySpool(_dir.Path, 10);
        spool.Append(Readings(2));
        spool.Append(Readings(3));

        Assert.True(spool.TryPeekOldest(out var seq, out var payload));
        Assert.Equal(1, seq);
        Assert.Equal(2, FleetJson.TryDeserialize<TelemetryBatch>(payload)!.Readings.Count);
        spool.Remove(seq);
        Assert.True(spool.TryPeekOldest(out seq, out _));
        Assert.Equal(2, seq);
    }

    [Fact]
    public void Full_spool_drops_the_oldest_and_every_later_batch_carries_the_drop_count()
    {
        var spool = new TelemetrySpool(_dir.Path, 3);
        for (var i = 0; i < 5; i++)
        {
            spool.Append(Readings(4));
        }

        Assert.Equal(3, spool.Count);
        Assert.Equal(8, spool.Dropped);
        Assert.True(spool.TryPeekOldest(out var seq, out var payload));
        Assert.Equal(3, seq);
        var newest = FleetJson.TryDeserialize<TelemetryBatch>(File.ReadAllBytes(Path.Combine(_dir.Path, "00000000000000000005.json")))!;
        Assert.Equal(8, newest.Dropped);
    }

    [Fact]
    public void Reopened_spool_keeps_its_batches_drop_count_and_never_reuses_a_sequence()
    {
        var first = new TelemetrySpool(_dir.Path, 2);
        first.Append(Readings(1));
        first.Append(Readings(1));
        first.Append(Readings(1));

        var reopened = new TelemetrySpool(_dir.Path, 2);

        Assert.Equal(2, reopened.Count);
        Assert.Equal(1, reopened.Dropped);
        Assert.Equal(4, reopened.Append(Readings(1)).Sequence);
    }

    [Fact]
    public void A_batch_file_written_after_a_stale_counter_still_moves_the_sequence_past_it()
    {
        // Simulates a crash that left a batch newer than state.json says (state written, then rewound by restore).
        var spool = new TelemetrySpool(_dir.Path, 10);
        spool.Append(Readings(1));
        File.WriteAllText(Path.Combine(_dir.Path, "state.json"), """{"nextSequence":1,"dropped":0}""");

        Assert.Equal(2, new TelemetrySpool(_dir.Path, 10).Append(Readings(1)).Sequence);
    }

    public void Dispose() => _dir.Dispose();

    private static Reading[] Readings(int n) =>
        Enumerable.Range(0, n).Select(i => new Reading(SensorNames.Ph, 8 + (i / 10.0), "pH", DateTimeOffset.UnixEpoch.AddSeconds(i))).ToArray();
}
