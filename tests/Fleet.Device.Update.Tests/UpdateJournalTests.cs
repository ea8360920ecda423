using Fleet.Testing;

namespace Fleet.Device.Update.Tests;

public sealed class UpdateJournalTests : IDisposable
{
    private readonly TempDir _dir = new("fleet-journal");
    private readonly UpdateJournal _journal;

    public UpdateJournalTests() => _journal = new UpdateJournal(new DeviceRoot(_dir.Path));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_journal_reads_idle() => Assert.Equal(UpdatePhase.Idle, _journal.Read().Phase);

    [Fact]
    public void Phases_persist_across_instances()
    {
        _journal.Advance(new UpdateRecord(UpdatePhase.Offered, Uuid: "u1", Version: "1.0.1", ChunkCount: 3));
        _journal.Advance(_journal.Read() with { Phase = UpdatePhase.Downloading });

        var reread = new UpdateJournal(new DeviceRoot(_dir.Path)).Read();
        Assert.Equal(UpdatePhase.Downloading, reread.Phase);
        Assert.Equal("u1", reread.Uuid);
        Assert.Equal(3, reread.ChunkCount);
    }

    [Fact]
    public void The_journal_the_chunk_bitmap_and_boot_json_are_private_state_files_0600()
    {
        _journal.Advance(new UpdateRecord(UpdatePhase.Offered, Uuid: "u1", Version: "1.0.1", ChunkCount: 3));
        var bitmap = new ChunkBitmap(3);
        bitmap.Set(1);
        _journal.SaveBitmap(bitmap);
        var root = new DeviceRoot(_dir.Path);
        new BootStore(root).Write(BootState.Fresh);

        Assert.Equal(0b110_000_000, Posix.Mode(_journal.JournalPath));
        Assert.Equal(0b110_000_000, Posix.Mode(_journal.BitmapPath));
        Assert.Equal(0b110_000_000, Posix.Mode(root.BootJson));
    }

    [Theory]
    [InlineData(UpdatePhase.Idle, UpdatePhase.Downloading)]
    [InlineData(UpdatePhase.Offered, UpdatePhase.Staged)]
    [InlineData(UpdatePhase.Downloading, UpdatePhase.Activating)]
    [InlineData(UpdatePhase.Staged, UpdatePhase.Committed)]
    [InlineData(UpdatePhase.Trial, UpdatePhase.Idle)]
    public void Steps_outside_the_table_are_refused(UpdatePhase from, UpdatePhase to)
    {
        WalkTo(from);
        Assert.Throws<InvalidOperationException>(() => _journal.Advance(new UpdateRecord(to)));
        Assert.Equal(from, _journal.Read().Phase);
    }

    [Fact]
    public void The_whole_happy_path_is_allowed()
    {
        WalkTo(UpdatePhase.Trial);
        _journal.Advance(new UpdateRecord(UpdatePhase.Committed));
        Assert.Equal(UpdatePhase.Committed, _journal.Read().Phase);
    }

    [Fact]
    public void The_bitmap_survives_a_restart_and_a_mismatched_one_starts_again()
    {
        var map = new ChunkBitmap(10);
        map.Set(0);
        map.Set(7);
        map.Set(9);
        _journal.SaveBitmap(map);

        var loaded = _journal.LoadBitmap(10);
        Assert.Equal(3, loaded.Held);
        Assert.True(loaded.Has(7));
        Assert.Equal([1, 2, 3], loaded.Missing(3));
        Assert.Equal(0, _journal.LoadBitmap(11).Held);
    }

    private void WalkTo(UpdatePhase target)
    {
        UpdatePhase[] path = [UpdatePhase.Offered, UpdatePhase.Downloading, UpdatePhase.Staged, UpdatePhase.Activating, UpdatePhase.Trial];
        foreach (var p in path.TakeWhile(p => target != UpdatePhase.Idle))
        {
            _journal.Advance(new UpdateRecord(p));
            if (p == target)
            {
                break;
            }
        }
    }
}
