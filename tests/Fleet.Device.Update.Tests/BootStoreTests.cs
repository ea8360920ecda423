using System.Text;
using Fleet.Testing;

namespace Fleet.Device.Update.Tests;

public sealed class BootStoreTests : IDisposable
{
    private readonly TempDir _dir = new("fleet-boot-store");
    private readonly DeviceRoot _root;
    private readonly BootStore _store;

    public BootStoreTests()
    {
        _root = new DeviceRoot(_dir.Path);
        Directory.CreateDirectory(_root.SlotDir(Slot.A));
        Directory.CreateDirectory(_root.SlotDir(Slot.B));
        _store = new BootStore(_root);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Boot_json_has_the_fixed_compact_shape_fleet_boot_parses()
    {
        Assert.Equal("{\"active\":\"a\",\"committed\":\"a\",\"trial\":null}\n", Encoding.UTF8.GetString(BootState.Fresh.ToJson()));
        var trial = new BootState("b", "a", new BootTrial("b", 2));
        Assert.Equal("{\"active\":\"b\",\"committed\":\"a\",\"trial\":{\"slot\":\"b\",\"attempts\":2}}\n", Encoding.UTF8.GetString(trial.ToJson()));
        Assert.Equal(trial, BootState.Parse(trial.ToJson()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"active\":\"a\",\"comm")]
    [InlineData("{\"active\":\"c\",\"committed\":\"a\",\"trial\":null}")]
    [InlineData("{\"active\":\"a\",\"committed\":\"../x\",\"trial\":null}")]
    public void A_torn_or_invalid_boot_json_falls_back_to_the_slot_current_points_at(string content)
    {
        _store.PointCurrentAt(Slot.B);
        File.WriteAllText(_root.BootJson, content);

        Assert.Equal(new BootState(Slot.B, Slot.B, null), _store.Read());
    }

    [Fact]
    public void No_boot_json_and_no_link_means_slot_a_committed() =>
        Assert.Equal(BootState.Fresh, _store.Read());

    [Fact]
    public void A_trial_switches_current_and_commit_keeps_it()
    {
        _store.Write(BootState.Fresh);
        _store.PointCurrentAt(Slot.A);

        _store.BeginTrial(Slot.B);
        Assert.Equal(new BootState(Slot.B, Slot.A, new BootTrial(Slot.B, 0)), _store.Read());
        Assert.Equal(Slot.B, _store.CurrentSlot());

        _store.Commit();
        Assert.Equal(new BootState(Slot.B, Slot.B, null), _store.Read());
        Assert.Equal(Slot.B, _store.CurrentSlot());
    }

    [Fact]
    public void Revert_returns_to_the_committed_slot()
    {
        _store.Write(BootState.Fresh);
        _store.PointCurrentAt(Slot.A);
        _store.BeginTrial(Slot.B);

        _store.Revert();

        Assert.Equal(BootState.Fresh, _store.Read());
        Assert.Equal(Slot.A, _store.CurrentSlot());
        Assert.Equal("slots/a", new FileInfo(_root.Current).LinkTarget);
    }

    [Fact]
    public void Switching_the_link_leaves_no_temporary_files()
    {
        _store.PointCurrentAt(Slot.A);
        _store.PointCurrentAt(Slot.B);
        _store.Write(BootState.Fresh);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path, ".*"));
    }
}
