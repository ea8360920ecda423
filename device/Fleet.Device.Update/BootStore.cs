namespace Fleet.Device.Update;

/// <summary>Reads and changes which slot runs: <c>boot.json</c> plus the <c>current</c> link. Every change is
/// written so that a power cut at any instant leaves a state <c>fleet-boot</c> can start from.</summary>
public sealed class BootStore(DeviceRoot root)
{
    /// <summary>The boot state; a missing or torn file falls back to whatever <c>current</c> points at (or slot a),
    /// committed, with no trial: the safe reading.</summary>
    public BootState Read()
    {
        if (File.Exists(root.BootJson))
        {
            var parsed = BootState.Parse(File.ReadAllBytes(root.BootJson));
            if (parsed is not null)
            {
                return parsed;
            }
        }

        var current = CurrentSlot() ?? Slot.A;
        return new BootState(current, current, null);
    }

    public void Write(BootState state)
    {
        Directory.CreateDirectory(root.Path);
        Fleet.Protocol.Files.AtomicFile.Write(root.BootJson, state.ToJson(), Fleet.Protocol.Files.AtomicFile.PrivateMode);
    }

    /// <summary>The slot <c>current</c> links to, or null when there is no valid link.</summary>
    public string? CurrentSlot()
    {
        var info = new FileInfo(root.Current);
        var target = info.LinkTarget;
        if (target is null)
        {
            return null;
        }

        var slot = Path.GetFileName(target.TrimEnd('/'));
        return Slot.IsValid(slot) ? slot : null;
    }

    /// <summary>Switches <c>current</c> with one rename(2) of a fresh relative link over the old one.</summary>
    public void PointCurrentAt(string slot)
    {
        if (!Slot.IsValid(slot))
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "a slot is 'a' or 'b'");
        }

        var tmp = Path.Combine(root.Path, $".current.{Environment.ProcessId}.tmp");
        if (File.Exists(tmp) || new FileInfo(tmp).LinkTarget is not null)
        {
            File.Delete(tmp);
        }

        File.CreateSymbolicLink(tmp, Path.Combine("slots", slot));
        Durable.Rename(tmp, root.Current);
        Durable.SyncDirectory(root.Path);
    }

    /// <summary>Puts <paramref name="slot"/> on trial: boot.json first (so fleet-boot counts the start), then the link.
    /// A cut between the two leaves boot.json naming the trial slot; fleet-boot re-points the link from it.</summary>
    public BootState BeginTrial(string slot)
    {
        var now = Read();
        var next = new BootState(slot, now.Committed, new BootTrial(slot, 0));
        Write(next);
        PointCurrentAt(slot);
        return next;
    }

    /// <summary>The running trial slot passed its health check: it becomes the committed one.</summary>
    public BootState Commit()
    {
        var now = Read();
        var next = new BootState(now.Active, now.Active, null);
        Write(next);
        return next;
    }

    /// <summary>Back to the committed slot (health check failed, or fleet-boot gave up on the trial).</summary>
    public BootState Revert()
    {
        var now = Read();
        var next = new BootState(now.Committed, now.Committed, null);
        Write(next);
        PointCurrentAt(now.Committed);
        return next;
    }
}
