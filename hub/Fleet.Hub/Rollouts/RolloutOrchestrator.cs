using System.Collections.Concurrent;
using System.Text.Json;
using Fleet.Hub.Audit;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Rollouts;

/// <summary>Runs every deployment group's rollout: on each signal (status, update event, group change) and on a
/// timer it builds the planner's snapshots from the database, asks <see cref="RolloutPlanner"/>, saves the
/// decisions (attempts, penalty box, pause with its audit entry) and only then sends the update commands. All state
/// is in the database and the planner is idempotent, so a restarted hub simply carries on.</summary>
internal sealed class RolloutOrchestrator(
    IDbContextFactory<HubDb> dbs,
    DeviceCommands commands,
    IDeviceLink link,
    RolloutSignal signal,
    Cluster.GroupLeases leases,
    ChunkRequestCounter chunkRequests,
    DeploymentCatalog catalog,
    ReleaseGate gate,
    TrustDelivery trustDelivery,
    AuditLog audit,
    Telemetry.HealthQuery health,
    FirmwareQuarantine quarantine,
    DeviceRegistry registry,
    IOptions<HubOptions> options,
    TimeProvider clock,
    ILogger<RolloutOrchestrator> log) : BackgroundService
{
    // Groups this node led on its previous pass; only the orchestrator's own loop touches it (passes never overlap).
    private readonly HashSet<int> _leading = [];

    // Attempts a previous leader recorded that no device has answered: offered again once their device is online.
    private readonly ConcurrentDictionary<long, bool> _reoffer = new();

    // Offers held back because the signer's scope no longer covers the device (it gained tags, or a key was
    // revoked): audited once per group, device and firmware, not on every pass.
    private readonly ConcurrentDictionary<(int Group, string Serial, string Uuid), bool> _outOfScope = new();

    /// <summary>How long the hub waits for a device to accept or refuse an offer.</summary>
    public static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(30);

    // Test hook, never set in production: FLEET_TEST_OFFER_DELAY_MS=N waits N ms between recording an attempt and
    // sending its offer, so a test can kill the node in that gap (docs/scale-out.md).
    private static readonly TimeSpan OfferDelay = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("FLEET_TEST_OFFER_DELAY_MS"), out var ms) && ms > 0 ? ms : 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = TimeSpan.FromSeconds(Math.Max(1, options.Value.RolloutTickSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAllAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Rollout pass failed; retrying on the next signal");
            }

            try
            {
                await signal.WaitAsync(tick, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async Task StepAllAsync(CancellationToken ct)
    {
        await chunkRequests.FlushAsync(ct);

        // Group changes and tag changes alter what devices must be told about their membership.
        await trustDelivery.ReconcileAsync(ct);
        List<int> groups;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            groups = await db.DeploymentGroups.AsNoTracking().OrderBy(g => g.Id).Select(g => g.Id).ToListAsync(ct);
        }

        foreach (var id in groups)
        {
            // With several hub nodes, each group is planned by exactly one of them (docs/scale-out.md).
            if (!await leases.HoldAsync(id, ct))
            {
                _leading.Remove(id);
                continue;
            }

            if (_leading.Add(id))
            {
                // Newly led (taken over from a node that died, or this node's first pass after a restart): the previous
                // leader may have died between recording an attempt and sending its offer, so nothing would ever move
                // it. Offer again what no device has answered yet; a device already on that update takes it as a no-op.
                foreach (var attempt in await UnansweredAsync(id, ct))
                {
                    _reoffer.TryAdd(attempt.Id, true);
                }
            }

            if (!_reoffer.IsEmpty)
            {
                foreach (var offer in await ReofferAsync(id, ct))
                {
                    log.LogInformation("Offering {Version} to {Serial} again: its attempt was recorded by this group's previous leader and the device has not answered",
                        offer.FirmwareVersion, offer.Serial);
                    _ = SendOfferAsync(offer, ct, resend: true);
                }
            }

            foreach (var offer in await StepGroupAsync(id, ct))
            {
                _ = SendOfferAsync(offer, ct);
            }
        }

        await QuarantineFailingReleasesAsync(ct);
    }

    /// <summary>Quarantines each release that rolled back or failed its soak on at least K distinct devices since it was
    /// last cleared (any group, or a push). K is the smallest positive <c>QuarantineAfter</c> of the groups shipping
    /// it now (0 in all of them: never), or <see cref="DeploymentCatalog.DefaultQuarantineAfter"/> when no group ships
    /// it. Idempotent, so every node may run it.</summary>
    private async Task QuarantineFailingReleasesAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = (await db.RolloutAttempts.AsNoTracking().Where(a => a.Failure != null)
                .Select(a => new { a.FirmwareUuid, a.FirmwareVersion, a.Serial, a.Failure, a.FinishedAt }).ToListAsync(ct))
            .Where(a => AttemptFailures.CondemnsRelease(a.Failure!.Value)).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var states = await quarantine.StatesAsync([.. rows.Select(r => r.FirmwareUuid)], ct);
        var shipping = await db.DeploymentGroups.AsNoTracking().Select(g => new { g.Firmware!.Uuid, g.QuarantineAfter }).ToListAsync(ct);
        foreach (var release in rows.GroupBy(r => r.FirmwareUuid))
        {
            if (!states.TryGetValue(release.Key, out var state) || state.QuarantinedAt is not null)
            {
                continue;
            }

            var groups = shipping.Where(g => g.Uuid == release.Key).ToList();
            var k = groups.Count == 0 ? DeploymentCatalog.DefaultQuarantineAfter : groups.Where(g => g.QuarantineAfter > 0).Select(g => g.QuarantineAfter).DefaultIfEmpty(0).Min();
            var since = state.ClearedAt ?? DateTimeOffset.MinValue;
            var devices = release.Where(r => r.FinishedAt > since).GroupBy(r => r.Serial, StringComparer.Ordinal)
                .Select(d => $"{d.Key}: {AttemptFailures.Name(d.OrderByDescending(r => r.FinishedAt).First().Failure!.Value)}").ToList();
            if (k > 0 && devices.Count >= k)
            {
                var reason = $"failed on {devices.Count} devices (at most {k - 1} allowed): {string.Join(", ", devices.Take(10))}";
                if (await quarantine.QuarantineAsync(release.Key, reason, ct))
                {
                    log.LogWarning("Release {Version} ({Uuid}) quarantined: {Reason}", release.First().FirmwareVersion, release.Key, reason);
                }
            }
        }
    }

    /// <summary>In-flight attempts of the group's current release that the device never answered (still at stage
    /// <c>offered</c>: no update event recorded).</summary>
    private async Task<List<RolloutAttempt>> UnansweredAsync(int groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var uuid = await db.DeploymentGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Firmware!.Uuid).FirstOrDefaultAsync(ct);
        return await db.RolloutAttempts.AsNoTracking()
            .Where(a => a.DeploymentGroupId == groupId && a.FirmwareUuid == uuid && a.State == AttemptState.InFlight && a.Stage == RolloutAttempt.Offered)
            .ToListAsync(ct);
    }

    /// <summary>The offers to send again now: the group's attempts marked for it that are still unanswered and whose
    /// device is connected. A device not connected yet (e.g. still reconnecting to a restarted hub) keeps its mark:
    /// sending now would only cancel an attempt the device may be carrying out. An attempt that moved on loses it.</summary>
    private async Task<List<PendingOffer>> ReofferAsync(int groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.DeploymentGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Firmware).FirstOrDefaultAsync(ct);
        var offers = new List<PendingOffer>();
        if (firmware is null)
        {
            return offers;
        }

        foreach (var attempt in await UnansweredAsync(groupId, ct))
        {
            if (_reoffer.ContainsKey(attempt.Id)
                && await link.IsConnectedAsync(attempt.Serial, ct)
                && _reoffer.TryRemove(attempt.Id, out _))
            {
                var group = await db.DeploymentGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Name).FirstAsync(ct);
                var installed = await db.Devices.AsNoTracking().Where(d => d.Serial == attempt.Serial).Select(d => d.FirmwareVersion).FirstOrDefaultAsync(ct);
                offers.Add(PendingOffer.Of(attempt.Id, attempt.Serial, firmware, group, await PermitAsync(db, firmware, installed, ct)));
            }
        }

        var stillUnanswered = await db.RolloutAttempts.AsNoTracking()
            .Where(a => a.State == AttemptState.InFlight && a.Stage == RolloutAttempt.Offered).Select(a => a.Id).ToListAsync(ct);
        foreach (var id in _reoffer.Keys.Except(stillUnanswered))
        {
            _reoffer.TryRemove(id, out _);
        }

        return offers;
    }

    /// <summary>One planning pass for one group. Returns the offers to send, already recorded as in-flight attempts.</summary>
    private async Task<List<PendingOffer>> StepGroupAsync(int groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var group = await db.DeploymentGroups.Include(g => g.Product).Include(g => g.Firmware).FirstOrDefaultAsync(g => g.Id == groupId, ct);
        if (group?.Firmware is null || group.Product is null)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        var firmware = group.Firmware;

        // A new release supersedes what was in flight (or soaking) for the old one: neither success nor failure.
        var superseded = await db.RolloutAttempts
            .Where(a => a.DeploymentGroupId == groupId && (a.State == AttemptState.InFlight || a.State == AttemptState.Soaking) && a.FirmwareUuid != firmware.Uuid).ToListAsync(ct);
        foreach (var a in superseded)
        {
            a.State = AttemptState.Cancelled;
            a.FinishedAt = now;
            a.Reason = $"group {group.Name} moved to {firmware.Version}";
        }

        // Soaks are decided before planning, so a failed soak counts towards the threshold in this very pass.
        await JudgeSoaksAsync(db, group, now, ct);
        await db.SaveChangesAsync(ct);

        // Attempts before devices: an attempt is marked committed only once the device's row names the new firmware,
        // so devices read afterwards never look older than the attempts. Read the other way round, a device that
        // committed between the two reads looked like one still on the old firmware with no attempt in flight, and
        // was offered the update a second time.
        var since = group.ResumedAt ?? DateTimeOffset.MinValue;
        var attempts = await db.RolloutAttempts.AsNoTracking()
            .Where(a => a.DeploymentGroupId == groupId && a.FirmwareUuid == firmware.Uuid).ToListAsync(ct);
        var devices = await db.Devices.Where(d => d.ProductId == group.ProductId && !d.Revoked).ToListAsync(ct);
        var snapshots = devices.Select(d => GroupTargeting.Snapshot(d, group.Product.Name, d.Platform, d.Architecture)).ToList();
        var counted = attempts.Where(a => a.State == AttemptState.InFlight || a.StartedAt >= since).Select(a => a.ToPlanner()).ToList();

        var target = GroupTargeting.Target(group, group.Product.Name, group.Paused);
        var decisions = RolloutPlanner.Plan(target, Policy(group), snapshots, counted, now);

        var offers = new List<(RolloutAttempt Attempt, Device Device)>();
        SignerScopes? scopes = null;
        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case RolloutDecision.StartUpdate start when devices.FirstOrDefault(d => d.Serial == start.Serial) is { } device:
                    // Checked again at offer time: the group's release was allowed for the devices it reached then,
                    // but this one may have gained tags since, or the key may have been revoked.
                    scopes ??= await gate.ScopesAsync(group.Product.Name, ct);
                    var refused = scopes.Check(firmware, GroupReleaseTargets.Device(group.Product.Name, firmware, device, group.Name).Scope,
                        $"device {device.Serial} in group '{group.Name}'", ReleaseGate.GroupCode, now);
                    if (refused is not null)
                    {
                        if (_outOfScope.TryAdd((groupId, device.Serial, firmware.Uuid), true))
                        {
                            log.LogWarning("Not offering {Version} to {Serial}: {Reason}", firmware.Version, device.Serial, refused.Message);
                            await gate.RecordRefusalAsync(Actor.Hub, firmware, refused, ct);
                        }

                        break;
                    }

                    var attempt = new RolloutAttempt
                    {
                        DeploymentGroupId = groupId,
                        Serial = device.Serial,
                        FirmwareUuid = firmware.Uuid,
                        FirmwareVersion = firmware.Version,
                        State = AttemptState.InFlight,
                        StartedAt = now,
                        LastProgressAt = now,
                    };
                    db.RolloutAttempts.Add(attempt);
                    offers.Add((attempt, device));
                    break;
                case RolloutDecision.ExpireAttempt expire:
                    var expired = await db.RolloutAttempts.FirstOrDefaultAsync(a => a.DeploymentGroupId == groupId && a.Serial == expire.Serial
                        && a.FirmwareUuid == firmware.Uuid && a.State == AttemptState.InFlight, ct);
                    if (expired is not null)
                    {
                        expired.State = AttemptState.TimedOut;
                        expired.Failure = AttemptFailure.TimedOut;
                        expired.FinishedAt = now;
                        expired.Reason = expire.Reason;
                    }

                    break;
                case RolloutDecision.PenaltyBox box when devices.FirstOrDefault(d => d.Serial == box.Serial) is { } boxed:
                    boxed.PenaltyUntil = box.Until;
                    audit.Record(db, Actor.Hub, "device.penalty_box", $"device:{box.Serial}", $"group={group.Name} until={box.Until:O} reason={box.Reason}");
                    break;
                case RolloutDecision.PauseGroup pause:
                    group.Paused = true;
                    group.PauseReason = pause.Reason;
                    group.UpdatedAt = now;
                    audit.Record(db, Actor.Hub, "deployment.pause", $"deployment:{group.Name}", $"paused by the orchestrator: {pause.Reason}");
                    log.LogWarning("Deployment group {Group} paused: {Reason}", group.Name, pause.Reason);
                    break;
            }
        }

        // Decisions are durable before any command leaves: a crash here re-plans from the same facts.
        await db.SaveChangesAsync(ct);
        var pending = new List<PendingOffer>();
        foreach (var (attempt, device) in offers)
        {
            pending.Add(PendingOffer.Of(attempt.Id, device.Serial, firmware, group.Name, await PermitAsync(db, firmware, device.FirmwareVersion, ct)));
        }

        return pending;
    }

    /// <summary>Decides each soaking attempt of the group's release (<see cref="SoakJudge"/>) from the health summaries
    /// its device sent since the soak began and the hub's presence records, and records the outcome with its audit
    /// entry. The offline limit is the in-flight timeout.</summary>
    private async Task JudgeSoaksAsync(HubDb db, DeploymentGroup group, DateTimeOffset now, CancellationToken ct)
    {
        var soaking = await db.RolloutAttempts
            .Where(a => a.DeploymentGroupId == group.Id && a.FirmwareUuid == group.Firmware!.Uuid && a.State == AttemptState.Soaking).ToListAsync(ct);
        if (soaking.Count == 0)
        {
            return;
        }

        // The soak an attempt started with; a group whose soak was turned off meanwhile lets it end now.
        var soak = TimeSpan.FromSeconds(Math.Max(0, group.SoakSeconds));
        var limits = SoakLimits.Default with { OfflineLimit = TimeSpan.FromSeconds(Math.Max(10, options.Value.RolloutInFlightTimeoutSeconds)) };
        foreach (var attempt in soaking)
        {
            var started = attempt.SoakStartedAt ?? attempt.LastProgressAt;
            var until = attempt.SoakUntil ?? started + soak;
            var device = await db.Devices.AsNoTracking().Where(d => d.Serial == attempt.Serial).Select(d => new { d.Online }).FirstOrDefaultAsync(ct);
            var connections = await registry.ConnectionsAsync(attempt.Serial, 20, ct);
            var summaries = await health.SinceAsync(attempt.Serial, attempt.FirmwareUuid, started, ct);
            var facts = new SoakFacts(started, until, attempt.SoakRestarts, device?.Online == true,
                connections.FirstOrDefault(c => c.Name == "disconnected")?.Ts,
                connections.FirstOrDefault(c => c.Name == "connected")?.Ts,
                [.. summaries.Select(s => new SoakHealth(s.ReceivedAt, s.Summary.TankState, s.Summary.FaultSeconds, s.Summary.Control.WaterTemperatureError,
                    s.Summary.Control.PhInRange, [.. s.Summary.Sensors.Where(x => x.State != Fleet.Protocol.Messages.HealthStates.Ok).Select(x => new SoakSensor(x.Sensor, x.State, x.Detail))]))]);
            var subject = $"device:{attempt.Serial}";
            switch (soak == TimeSpan.Zero ? new SoakVerdict.Pass() : SoakJudge.Judge(facts, soak, limits, now))
            {
                case SoakVerdict.Continue c:
                    attempt.SoakNote = c.Note;
                    break;
                case SoakVerdict.Restart r:
                    attempt.SoakUntil = r.Until;
                    attempt.SoakRestarts++;
                    attempt.SoakNote = null;
                    attempt.LastProgressAt = now;
                    audit.Record(db, Actor.Hub, "rollout.soak.restart", subject, $"group={group.Name} firmware={attempt.FirmwareVersion} {r.Reason}");
                    break;
                case SoakVerdict.Pass:
                    attempt.State = AttemptState.Committed;
                    attempt.SoakNote = null;
                    attempt.FinishedAt = now;
                    attempt.LastProgressAt = now;
                    audit.Record(db, Actor.Hub, "rollout.soak.passed", subject,
                        $"group={group.Name} firmware={attempt.FirmwareVersion} connected and healthy for {soak.TotalSeconds:0} s ({summaries.Count} health summaries)");
                    break;
                case SoakVerdict.Fail f:
                    attempt.State = AttemptState.Failed;
                    attempt.Failure = f.Kind;
                    attempt.Reason = f.Reason;
                    attempt.SoakNote = null;
                    attempt.FinishedAt = now;
                    attempt.LastProgressAt = now;
                    audit.Record(db, Actor.Hub, "rollout.soak.failed", subject,
                        $"group={group.Name} firmware={attempt.FirmwareVersion} kind={AttemptFailures.Name(f.Kind)} {f.Reason}");
                    log.LogWarning("Soak of {Version} on {Serial} failed: {Reason}", attempt.FirmwareVersion, attempt.Serial, f.Reason);
                    break;
            }
        }
    }

    /// <summary>Sends one firmware to one device outside any group (recorded as an attempt without a group), after
    /// the same resolution and scope rule as a group's release (<see cref="DeploymentCatalog.PreparePushAsync"/>).</summary>
    public async Task<Outcome<AttemptView>> PushAsync(Actor actor, string serial, string firmwareReference, CancellationToken ct)
    {
        var release = await catalog.PreparePushAsync(actor, serial, firmwareReference, ct);
        if (!release.Ok)
        {
            return release.Failure;
        }

        var firmware = release.Value.Firmware;
        await using var db = await dbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, "device.update.push", $"device:{serial}", $"firmware={firmware.Version}({firmware.Uuid})");
        var now = clock.GetUtcNow();
        var attempt = new RolloutAttempt
        {
            Serial = serial,
            FirmwareUuid = firmware.Uuid,
            FirmwareVersion = firmware.Version,
            State = AttemptState.InFlight,
            StartedAt = now,
            LastProgressAt = now,
        };
        db.RolloutAttempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        var permit = await PermitAsync(db, firmware, release.Value.Device.FirmwareVersion, ct);
        _ = SendOfferAsync(PendingOffer.Of(attempt.Id, serial, firmware, null, permit), CancellationToken.None);
        return AttemptView.Of(attempt);
    }

    /// <summary>A stored, unexpired downgrade permit of <paramref name="firmware"/> naming the device's installed
    /// version, as base64 of its exact bytes; the device verifies it against its own trust metadata.</summary>
    private async Task<string?> PermitAsync(HubDb db, FirmwareRecord firmware, string? installed, CancellationToken ct)
    {
        if (installed is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var permits = await db.DowngradePermits.AsNoTracking().Where(p => p.FirmwareId == firmware.Id && p.Expires > now).OrderByDescending(p => p.Id).ToListAsync(ct);
        return permits.FirstOrDefault(p => p.Replaces.Contains(installed, StringComparer.Ordinal)) is { } permit ? Convert.ToBase64String(permit.Json) : null;
    }

    private RolloutPolicy Policy(DeploymentGroup group) => RolloutPolicy.Default with
    {
        MaxConcurrent = group.MaxConcurrent,
        FailureThresholdPercent = group.FailureThresholdPercent,
        InFlightTimeout = TimeSpan.FromSeconds(Math.Max(10, options.Value.RolloutInFlightTimeoutSeconds)),
    };

    private async Task SendOfferAsync(PendingOffer offer, CancellationToken ct, bool resend = false)
    {
        try
        {
            if (OfferDelay > TimeSpan.Zero)
            {
                await Task.Delay(OfferDelay, ct);
            }

            // The last word before anything leaves, for every path (a group's offer, a re-offer, a push): a release
            // quarantined meanwhile is not sent, and the attempt ends as neither success nor failure.
            var held = (await quarantine.StatesAsync([offer.FirmwareUuid], ct)).GetValueOrDefault(offer.FirmwareUuid);
            if (held is null || held.QuarantinedAt is not null)
            {
                await using var closing = await dbs.CreateDbContextAsync(ct);
                var open = await closing.RolloutAttempts.FirstOrDefaultAsync(a => a.Id == offer.AttemptId && a.State == AttemptState.InFlight, ct);
                if (open is not null)
                {
                    open.State = AttemptState.Cancelled;
                    open.Reason = held is null ? "not offered: the firmware is gone" : $"not offered: {offer.FirmwareVersion} is quarantined";
                    open.FinishedAt = clock.GetUtcNow();
                    await closing.SaveChangesAsync(ct);
                }

                log.LogWarning("Not offering {Version} to {Serial}: the release is quarantined", offer.FirmwareVersion, offer.Serial);
                return;
            }

            var args = JsonSerializer.SerializeToElement(
                new UpdateOffer(Convert.ToBase64String(offer.Manifest), offer.Signatures, offer.ChunkCount, offer.Group, offer.PermitBase64), FleetJson.Default.UpdateOffer);
            var sent = await commands.SendAsync(Actor.Hub, offer.Serial, new DeviceCommand(CommandNames.Update, args), OfferTimeout, ct);
            string? failure = null;
            var state = AttemptState.Failed;
            if (!sent.Ok)
            {
                if (sent.Failure.Code == "no_response")
                {
                    // It may have been accepted and be busy: its update events or the in-flight timeout settle it.
                    return;
                }

                if (resend && sent.Failure.Code == "device_offline")
                {
                    // It may have the first offer and be busy with it once back: offer again when it is online.
                    _reoffer.TryAdd(offer.AttemptId, true);
                    return;
                }

                // Offline or revoked before the offer left: nothing happened on the device, so not a failure.
                state = AttemptState.Cancelled;
                failure = sent.Failure.Message;
            }
            else if (!sent.Value.Ok)
            {
                failure = $"{sent.Value.Error}: {sent.Value.Detail}";
            }

            if (failure is null)
            {
                return;
            }

            await using var db = await dbs.CreateDbContextAsync(ct);
            var attempt = await db.RolloutAttempts.FirstOrDefaultAsync(a => a.Id == offer.AttemptId && a.State == AttemptState.InFlight, ct);
            if (attempt is not null)
            {
                attempt.State = state;
                attempt.Failure = state == AttemptState.Failed ? AttemptFailure.DeviceFailed : null;
                attempt.Reason = failure;
                attempt.FinishedAt = clock.GetUtcNow();
                attempt.LastProgressAt = clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
            }

            signal.Kick();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Sending firmware {Uuid} to {Serial} failed", offer.FirmwareUuid, offer.Serial);
        }
    }

    private sealed record PendingOffer(long AttemptId, string Serial, string FirmwareUuid, string FirmwareVersion, byte[] Manifest, string Signatures, int ChunkCount,
        string? Group, string? PermitBase64)
    {
        public static PendingOffer Of(long attemptId, string serial, FirmwareRecord f, string? group, string? permit) =>
            new(attemptId, serial, f.Uuid, f.Version, f.Manifest, f.Signatures, f.ChunkCount, group, permit);
    }
}
