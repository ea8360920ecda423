using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Rollouts;

/// <summary>Moves attempts with what devices report. An update counts as done only when the device has reported
/// <c>committed</c> AND its status names the new firmware; <c>failed</c> and <c>rolled_back</c> are failures with the
/// device's reason. With a soak window on the group, a proven commit starts the attempt's soak instead of finishing it.
/// Every change wakes the orchestrator.</summary>
internal sealed class RolloutLedger(IDbContextFactory<HubDb> dbs, RolloutSignal signal, AuditLog audit, TimeProvider clock) : Devices.IDeviceStatusListener, Devices.IDeviceUpdateListener
{
    public async Task OnUpdateEventAsync(string serial, DeviceEvent e, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.RolloutAttempts.Where(a => a.Serial == serial && a.State == AttemptState.InFlight);
        if (!string.IsNullOrEmpty(e.FirmwareUuid))
        {
            q = q.Where(a => a.FirmwareUuid == e.FirmwareUuid);
        }

        var attempt = await q.OrderByDescending(a => a.Id).FirstOrDefaultAsync(ct);
        if (attempt is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        attempt.LastProgressAt = now;
        switch (e.Name)
        {
            case UpdateStages.Received or UpdateStages.Downloading or UpdateStages.Staged or UpdateStages.Rebooting:
                attempt.Stage = e.Name;
                attempt.Progress = e.Progress ?? (e.Name == UpdateStages.Received ? 0 : attempt.Progress);
                break;
            case UpdateStages.Committed:
                attempt.Stage = e.Name;
                attempt.Progress = 1;
                var running = await db.Devices.Where(d => d.Serial == serial).Select(d => d.FirmwareUuid).FirstOrDefaultAsync(ct);
                if (running == attempt.FirmwareUuid)
                {
                    await ProveAsync(db, attempt, now, ct);
                }

                break;
            case UpdateStages.Failed:
                Fail(attempt, AttemptState.Failed, AttemptFailure.DeviceFailed, e.Reason ?? e.Detail ?? "the device reported a failure", now);
                break;
            case UpdateStages.RolledBack:
                Fail(attempt, AttemptState.RolledBack, AttemptFailure.RolledBack, e.Reason ?? e.Detail ?? "the device rolled back", now);
                break;
            default:
                return;
        }

        await db.SaveChangesAsync(ct);
        if (e.Name == UpdateStages.Committed && attempt.State == AttemptState.InFlight)
        {
            // The status naming the new firmware may have been stored by another node between the read above and the
            // save; that node then found no attempt at stage committed to finish. Read again now the stage is saved.
            var running = await db.Devices.Where(d => d.Serial == serial).Select(d => d.FirmwareUuid).FirstOrDefaultAsync(ct);
            if (running == attempt.FirmwareUuid)
            {
                await ProveAsync(db, attempt, now, ct);
                await db.SaveChangesAsync(ct);
            }
        }

        signal.Kick();
    }

    /// <summary>The device's status names the firmware it runs: a reported commit of that firmware is now proven.</summary>
    public async Task OnStatusAsync(string serial, StatusMessage status, CancellationToken ct)
    {
        if (status.Online && status.Firmware?.Uuid is { } uuid)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var attempt = await db.RolloutAttempts.Where(a => a.Serial == serial && a.State == AttemptState.InFlight && a.FirmwareUuid == uuid
                && a.Stage == UpdateStages.Committed).OrderByDescending(a => a.Id).FirstOrDefaultAsync(ct);
            if (attempt is not null)
            {
                await ProveAsync(db, attempt, clock.GetUtcNow(), ct);
                await db.SaveChangesAsync(ct);
            }
        }

        signal.Kick();
    }

    /// <summary>The chunk count of <paramref name="uuid"/> when the hub has an update to it in flight for the device
    /// (offered and neither finished nor superseded) and the device is in good standing; null otherwise. Asked on
    /// every <c>fw/req</c>, never cached: with an external broker a revoked device can still be connected, and an
    /// attempt that ended ends the download with it.</summary>
    public async Task<int?> OfferedChunkCountAsync(string serial, string uuid, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await (
            from a in db.RolloutAttempts
            where a.Serial == serial && a.FirmwareUuid == uuid && a.State == AttemptState.InFlight
            join d in db.Devices on a.Serial equals d.Serial
            where !d.Revoked
            join f in db.Firmware on a.FirmwareUuid equals f.Uuid
            where f.ProductId == d.ProductId
            select (int?)f.ChunkCount).FirstOrDefaultAsync(ct);
    }

    /// <summary>Lets a device out of the penalty box now (an operator fixed what made it fail).</summary>
    public async Task<Outcome<string>> ClearPenaltyAsync(Actor actor, string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Serial == serial, ct);
        if (device is null)
        {
            return Devices.DeviceRegistry.Unknown(serial);
        }

        // Earlier failures no longer count against it: the planner counts failures since PenaltyUntil.
        device.PenaltyUntil = clock.GetUtcNow();
        audit.Record(db, actor, "device.penalty_box.clear", $"device:{serial}");
        await db.SaveChangesAsync(ct);
        signal.Kick();
        return serial;
    }

    /// <summary>The commit is proven (reported, and the status names the firmware): a success at once, or, when the
    /// attempt's group has a soak window, the start of its soak (<see cref="SoakJudge"/> decides it later).</summary>
    private static async Task ProveAsync(HubDb db, RolloutAttempt attempt, DateTimeOffset now, CancellationToken ct)
    {
        var soak = attempt.DeploymentGroupId is { } groupId
            ? await db.DeploymentGroups.Where(g => g.Id == groupId).Select(g => g.SoakSeconds).FirstOrDefaultAsync(ct)
            : 0;
        if (soak <= 0)
        {
            Finish(attempt, AttemptState.Committed, null, now);
            return;
        }

        attempt.State = AttemptState.Soaking;
        attempt.LastProgressAt = now;
        attempt.SoakStartedAt = now;
        attempt.SoakUntil = now + TimeSpan.FromSeconds(soak);
    }

    private static void Fail(RolloutAttempt attempt, AttemptState state, AttemptFailure failure, string reason, DateTimeOffset now)
    {
        Finish(attempt, state, reason, now);
        attempt.Failure = failure;
    }

    private static void Finish(RolloutAttempt attempt, AttemptState state, string? reason, DateTimeOffset now)
    {
        attempt.State = state;
        attempt.Reason = reason;
        attempt.FinishedAt = now;
        attempt.LastProgressAt = now;
    }
}
