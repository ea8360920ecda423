using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Packaging;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Semver;

namespace Fleet.Device.Update;

/// <summary>The device side of an over-the-air update: offer → download → stage → activate → (restart) →
/// health check → commit, or roll back. Each step persists its phase before acting, so a crash at any point
/// resumes or falls back safely. Transport (MQTT) and reporting belong to the agent; this class decides.
/// <paramref name="serial"/> is this device's serial: firmware is installed only when its signing key's scope
/// covers it.</summary>
public sealed class UpdateEngine(DeviceRoot root, UpdateIdentity identity, Func<string>? runningSlot = null, string? serial = null, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly UpdateJournal _journal = new(root);
    private readonly BootStore _boot = new(root);

    public UpdateJournal Journal => _journal;

    public BootStore Boot => _boot;

    /// <summary>The slot this process runs from (<see cref="Slot.Running"/>; slot a when nothing names one).</summary>
    public string RunningSlot => runningSlot is not null ? runningSlot() : RunningSlotOf(root);

    private static string RunningSlotOf(DeviceRoot root) => Slot.Running(root) ?? Slot.A;

    /// <summary>The engine for this start: the identity is the running slot's manifest, never the agent's own claim.</summary>
    public static UpdateEngine ForRunningSlot(DeviceRoot root, string? serial, TimeProvider clock)
    {
        var installed = InstalledFirmware.Read(root, RunningSlotOf(root));
        var identity = installed is null
            ? new UpdateIdentity("", "", "", null)
            : new UpdateIdentity(installed.Product, installed.Platform, installed.Architecture, installed.Version);
        return new UpdateEngine(root, identity, serial: serial, clock: clock);
    }

    /// <summary>Checks an <c>update</c> command: firmware installed in the running slot to check against, signature by
    /// a trusted key, product, platform, architecture and anti-downgrade, all before a single byte is downloaded. A
    /// refusal is written to the journal (unless another update is under way) before the agent reports it.</summary>
    public OfferOutcome Offer(UpdateOffer offer)
    {
        if (InstalledFirmware.Read(root, RunningSlot) is null)
        {
            return Refuse("NotInstalled", "the running slot has no manifest.json, so nothing can be checked against it; install firmware into a slot first");
        }

        byte[] manifestBytes;
        try
        {
            manifestBytes = Convert.FromBase64String(offer.ManifestBase64);
        }
        catch (FormatException)
        {
            return Refuse(nameof(VerificationFailure.MalformedManifest), "the offered manifest is not base64");
        }

        var result = Check(manifestBytes, offer.Signatures, offer.Group, offer.PermitBase64);
        if (!result.IsValid)
        {
            return Refuse(result.Failure!, result.Message, result.Manifest);
        }

        var manifest = result.Manifest!;
        var now = _journal.Read();
        if (UpdateFlow.IsBusy(now.Phase))
        {
            if (now.Uuid == manifest.Id)
            {
                return new OfferOutcome(true, null, $"already {now.Phase.ToString().ToLowerInvariant()} {manifest.Version}", manifest);
            }

            if (!UpdateFlow.IsCancellable(now.Phase))
            {
                return Refuse("Busy", $"update to {now.Version} is {now.Phase.ToString().ToLowerInvariant()}; try again after it finishes", manifest);
            }

            Cancel();
        }

        var installed = InstalledFirmware.Read(root, RunningSlot);
        _journal.DiscardDownload();
        _journal.Advance(new UpdateRecord(
            UpdatePhase.Offered,
            Uuid: manifest.Id,
            Version: manifest.Version.ToString(),
            ManifestBase64: offer.ManifestBase64,
            Signatures: offer.Signatures,
            ChunkCount: manifest.Payload.Chunks.Count,
            TargetSlot: Slot.Other(RunningSlot),
            FromVersion: installed?.Version.ToString(),
            Group: offer.Group,
            PermitBase64: offer.PermitBase64));
        return new OfferOutcome(true, null, $"accepted {manifest.Version} ({manifest.Id})", manifest);

        OfferOutcome Refuse(string failure, string message, Manifest? m = null)
        {
            var record = _journal.Read();
            if (!UpdateFlow.IsBusy(record.Phase))
            {
                _journal.Advance(new UpdateRecord(UpdatePhase.Failed, Uuid: m?.Id, Version: m?.Version.ToString(), Reason: $"{failure}: {message}"));
            }

            return OfferOutcome.Refused(failure, message, m);
        }
    }

    /// <summary>The manifest of the update under way, re-verified from the journal (never trusted from disk alone).</summary>
    public Manifest CurrentManifest()
    {
        var record = _journal.Read();
        if (record.ManifestBase64 is null || record.Signatures is null)
        {
            throw new InvalidOperationException("no update is under way");
        }

        var result = Check(Convert.FromBase64String(record.ManifestBase64), record.Signatures, record.Group, record.PermitBase64);
        return result.IsValid ? result.Manifest! : throw new InvalidOperationException($"the journalled manifest no longer verifies: {result.Failure}: {result.Message}");
    }

    /// <summary>Fetches every missing chunk into the staging file, verifying each against the signed manifest.</summary>
    public async Task<DownloadProgress> DownloadAsync(IChunkSource source, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken, int window = 8)
    {
        var manifest = CurrentManifest();
        var record = _journal.Read();
        if (record.Phase == UpdatePhase.Offered)
        {
            record = _journal.Advance(record with { Phase = UpdatePhase.Downloading });
        }

        if (record.Phase != UpdatePhase.Downloading)
        {
            throw new InvalidOperationException($"cannot download while {record.Phase}");
        }

        var plan = new ChunkPlan([.. manifest.Payload.Chunks.Select(c => (c.Size, Convert.FromHexString(c.Sha256)))]);
        return await new ChunkDownloader(_journal, plan, window).RunAsync(source, progress, cancellationToken);
    }

    /// <summary>Checks the whole staging file against the manifest, unpacks it into the inactive slot with the
    /// manifest beside it, and only then records <c>staged</c>.</summary>
    public async Task<UpdateRecord> StageAsync(CancellationToken cancellationToken)
    {
        var manifest = CurrentManifest();
        var record = _journal.Read();
        var slot = record.TargetSlot ?? throw new InvalidOperationException("no target slot recorded");
        if (slot == RunningSlot)
        {
            throw new InvalidOperationException($"refusing to overwrite the running slot {slot}");
        }

        await using (var staged = File.OpenRead(_journal.StagingPath))
        {
            if (staged.Length != manifest.Payload.Size)
            {
                return Fail($"staged payload is {staged.Length} bytes, manifest says {manifest.Payload.Size}");
            }

            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(staged, cancellationToken));
            if (!string.Equals(hash, manifest.Payload.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return Fail("staged payload does not match the manifest's SHA-256 (storage corruption?)");
            }
        }

        var target = root.SlotDir(slot);
        var fresh = Path.Combine(root.SlotsDir, $".{slot}.new");
        DeleteTree(fresh);
        Directory.CreateDirectory(fresh);
        ExtractionResult extracted;
        await using (var staged = File.OpenRead(_journal.StagingPath))
        {
            extracted = PayloadExtractor.Extract(staged, fresh, ExtractionLimits.Default, cancellationToken);
        }

        if (!extracted.IsSuccess)
        {
            DeleteTree(fresh);
            return Fail($"payload refused while unpacking: {extracted}");
        }

        Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(fresh, "manifest.json"), Convert.FromBase64String(record.ManifestBase64!), Fleet.Protocol.Files.AtomicFile.PublicMode);
        Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(fresh, "manifest.sig"), Encoding.UTF8.GetBytes(record.Signatures!), Fleet.Protocol.Files.AtomicFile.PublicMode);
        DeleteTree(target);
        Directory.Move(fresh, target);
        Durable.SyncDirectory(root.SlotsDir);
        _journal.DiscardDownload();
        return _journal.Advance(record with { Phase = UpdatePhase.Staged });

        UpdateRecord Fail(string reason)
        {
            _journal.DiscardDownload();
            return _journal.Advance(_journal.Read() with { Phase = UpdatePhase.Failed, Reason = reason });
        }
    }

    /// <summary>Puts the staged slot on trial (boot.json, then the link). The agent then reports
    /// <c>rebooting</c> and exits so fleet-boot starts the new slot.</summary>
    public UpdateRecord Activate()
    {
        var record = _journal.Read();
        if (record.Phase is not (UpdatePhase.Staged or UpdatePhase.Activating))
        {
            throw new InvalidOperationException($"cannot activate while {record.Phase}");
        }

        record = _journal.Advance(record with { Phase = UpdatePhase.Activating });
        _boot.BeginTrial(record.TargetSlot!);
        return _journal.Advance(record with { Phase = UpdatePhase.Trial });
    }

    /// <summary>Squares the journal with what happened while no agent ran (fleet-boot's rollback record, a cut during
    /// activation, a commit that reached boot.json only, a trial that ended without one), then reads the step to resume
    /// and the stage to report from <see cref="UpdateFlow"/>.</summary>
    public StartupDecision OnStartup()
    {
        var record = Reconcile();
        var phase = UpdateFlow.Of(record.Phase);
        var report = phase.RepeatAtStart && record.Uuid is not null ? phase.Reports : null;
        return new StartupDecision(record, phase.Step, report);
    }

    private UpdateRecord Reconcile()
    {
        var record = _journal.Read();
        var boot = _boot.Read();
        if (File.Exists(root.RollbackRecord))
        {
            var reason = ReadRollbackReason();
            File.Delete(root.RollbackRecord);
            return record.Phase is UpdatePhase.Trial or UpdatePhase.Activating
                ? _journal.Advance(record with { Phase = UpdatePhase.RolledBack, Reason = reason })
                : record;
        }

        if (record.Phase == UpdatePhase.Activating && boot.Trial?.Slot == record.TargetSlot)
        {
            // Cut during activation after boot.json named the trial: this start is that trial.
            record = _journal.Advance(record with { Phase = UpdatePhase.Trial });
        }

        if (record.Phase != UpdatePhase.Trial || (boot.InTrial && boot.Active == record.TargetSlot && RunningSlot == record.TargetSlot))
        {
            return record;
        }

        if (!boot.InTrial && boot.Committed == record.TargetSlot && RunningSlot == record.TargetSlot)
        {
            return _journal.Advance(record with { Phase = UpdatePhase.Committed });
        }

        var why = $"the trial of slot {record.TargetSlot} ended without a commit; running slot {RunningSlot}";
        return _journal.Advance(record with { Phase = UpdatePhase.RolledBack, Reason = why });
    }

    /// <summary>The trial passed its health check: the new slot becomes the committed one.</summary>
    public UpdateRecord Commit()
    {
        _boot.Commit();
        var record = _journal.Read();
        if (record.Version is not null && record.Uuid is not null)
        {
            new HighWaterMark(root).Record(record.Version, record.Uuid);
        }

        return _journal.Advance(record with { Phase = UpdatePhase.Committed, Reason = null });
    }

    /// <summary>The trial failed its health check: back to the committed slot. The agent exits after reporting.</summary>
    public UpdateRecord RollBack(string reason)
    {
        _boot.Revert();
        return _journal.Advance(_journal.Read() with { Phase = UpdatePhase.RolledBack, Reason = reason });
    }

    /// <summary>Gives the update under way up: the phase the flow names for a failed step (<see cref="UpdatePhase.Failed"/>
    /// before the trial, <see cref="UpdatePhase.RolledBack"/> in it), written with the reason before anyone is told, so
    /// the next start does not resume an update the hub has closed. The download is discarded.</summary>
    public UpdateRecord Fail(string reason)
    {
        var record = _journal.Read();
        var next = UpdateFlow.Of(record.Phase).OnFailure ?? throw new InvalidOperationException($"no update step is under way ({record.Phase})");
        if (next == UpdatePhase.RolledBack)
        {
            return RollBack(reason);
        }

        _journal.DiscardDownload();
        return _journal.Advance(record with { Phase = next, Reason = reason });
    }

    /// <summary>Stops an update that has not touched the boot state. Returns false when it is too late.</summary>
    public bool Cancel()
    {
        var record = _journal.Read();
        if (!UpdateFlow.IsCancellable(record.Phase))
        {
            return record.Phase is UpdatePhase.Idle or UpdatePhase.Committed or UpdatePhase.RolledBack or UpdatePhase.Failed;
        }

        _journal.DiscardDownload();
        _journal.Advance(record with { Phase = UpdatePhase.Idle, Reason = "cancelled" });
        return true;
    }

    /// <summary>Every rule an offer must pass before a byte is downloaded, in one place (also re-applied to the
    /// journalled offer at each later step): the manifest's signature by a trusted key, product, platform and
    /// architecture; with trust metadata, a signing key whose scope covers this device; and the high-water mark.
    /// The one downgrade that will not pass through here is the hub-commanded revert to the device's own previously
    /// committed slot during a soak window (a later feature): it switches slots, it installs no release.</summary>
    private OfferCheck Check(byte[] manifestBytes, string signatures, string? group, string? permitBase64)
    {
        var store = new DeviceTrust(root);
        TrustedMetadata? trust = null;
        var membership = DeviceMembership.None;
        IReadOnlyList<VerifyingKey> keys;
        if (store.Exists)
        {
            var loaded = store.Load();
            if (!loaded.IsValid)
            {
                return new OfferCheck(null, "TrustUnavailable", $"the stored trust metadata does not verify ({loaded.Failure}: {loaded.Message}); no firmware is trusted until the device is provisioned again");
            }

            trust = loaded.Value!;
            membership = store.Membership();
            keys = trust.Targets.SigningKeys();
        }
        else
        {
            keys = LegacyTrustedKeys.Load(root);
        }

        var policy = new VerificationPolicy(keys)
        {
            Product = identity.Product,
            Platform = identity.Platform,
            Architecture = identity.Architecture,
            // With trust metadata a downgrade needs a signed permit (below); the manifest's own flag is not enough.
            InstalledVersion = trust is null ? identity.InstalledVersion : null,
        };
        var result = BundleVerifier.VerifyManifest(manifestBytes, Encoding.UTF8.GetBytes(signatures), policy);
        if (!result.IsValid)
        {
            return new OfferCheck(result.Manifest, result.Failure.ToString(), result.Message);
        }

        var manifest = result.Manifest;
        var now = _clock.GetUtcNow();
        var scope = new FirmwareScope(manifest.Product, manifest.Version.ToString(), serial ?? string.Empty, group, membership.Tags);
        if (trust is not null)
        {
            if (group is not null && !membership.Groups.Contains(group, StringComparer.Ordinal))
            {
                return new OfferCheck(manifest, nameof(TrustFailure.OutOfScope), $"the offer comes from group '{group}', which device {serial} is not in (its groups: {(membership.Groups.Count == 0 ? "none" : string.Join(", ", membership.Groups))})");
            }

            var allowed = trust.Authorize(result.TrustedSigners, scope, now);
            if (!allowed.IsValid)
            {
                return new OfferCheck(manifest, allowed.Failure.ToString(), allowed.Message);
            }
        }

        return CheckHighWater(manifest, trust, scope, permitBase64, now) ?? new OfferCheck(manifest, null, result.Message);
    }

    /// <summary>A lower version than the last committed release needs a downgrade permit; an equal-precedence version
    /// must be that very release (<c>1.2.0+b</c> does not replace <c>1.2.0+a</c>).</summary>
    private OfferCheck? CheckHighWater(Manifest manifest, TrustedMetadata? trust, FirmwareScope scope, string? permitBase64, DateTimeOffset now)
    {
        var mark = new HighWaterMark(root).Read(RunningSlot);
        if (mark is null)
        {
            return null;
        }

        var order = SemVersion.ComparePrecedence(manifest.Version, mark.Version);
        if (order == 0 && !string.Equals(mark.Uuid, manifest.Id, StringComparison.Ordinal))
        {
            return new OfferCheck(manifest, nameof(VerificationFailure.DowngradeRefused), $"version {manifest.Version} has the precedence of the committed {mark.Version} but is another release ({manifest.Id}, not {mark.Uuid}); give the new build a higher version");
        }

        if (order >= 0)
        {
            return null;
        }

        if (trust is null)
        {
            // Provisioned before trust metadata: the manifest's allowDowngrade still decides, as it did.
            return manifest.AllowDowngrade ? null : new OfferCheck(manifest, nameof(VerificationFailure.DowngradeRefused), $"version {manifest.Version} is below {mark.Version}, the last release this device committed");
        }

        if (permitBase64 is null)
        {
            return new OfferCheck(manifest, nameof(VerificationFailure.DowngradeRefused), $"version {manifest.Version} is below {mark.Version}, the last release this device committed; a downgrade needs a signed permit (fleet firmware permit-downgrade)");
        }

        byte[] permit;
        try
        {
            permit = Convert.FromBase64String(permitBase64);
        }
        catch (FormatException)
        {
            return new OfferCheck(manifest, nameof(TrustFailure.Malformed), "the downgrade permit is not base64");
        }

        var verdict = DowngradePermits.Verify(permit, trust, scope, manifest.Id, mark.Version.ToString(), now);
        return verdict.IsValid ? null : new OfferCheck(manifest, verdict.Failure.ToString(), $"downgrade to {manifest.Version} refused: {verdict.Message}");
    }

    private sealed record OfferCheck(Manifest? Manifest, string? Failure, string Message)
    {
        public bool IsValid => Failure is null && Manifest is not null;
    }

    private string ReadRollbackReason()
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(root.RollbackRecord));
            return doc.RootElement.TryGetProperty("reason", out var r) ? r.GetString() ?? "rolled back by fleet-boot" : "rolled back by fleet-boot";
        }
        catch (JsonException)
        {
            return "rolled back by fleet-boot";
        }
    }

    private static void DeleteTree(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
