using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Packaging;
using Fleet.Protocol.Signing;

namespace Fleet.Device.Update;

/// <summary>The device side of an over-the-air update: offer → download → stage → activate → (restart) →
/// health check → commit, or roll back. Each step persists its phase before acting, so a crash at any point
/// resumes or falls back safely. Transport (MQTT) and reporting belong to the agent; this class decides.</summary>
public sealed class UpdateEngine(DeviceRoot root, UpdateIdentity identity, Func<string>? runningSlot = null)
{
    private readonly UpdateJournal _journal = new(root);
    private readonly BootStore _boot = new(root);

    public UpdateJournal Journal => _journal;

    public BootStore Boot => _boot;

    /// <summary>The slot this process runs from: fleet-boot exports it; otherwise the <c>current</c> link says.</summary>
    public string RunningSlot
    {
        get
        {
            if (runningSlot is not null)
            {
                return runningSlot();
            }

            var fromBoot = Environment.GetEnvironmentVariable("FLEET_SLOT");
            return Slot.IsValid(fromBoot) ? fromBoot! : _boot.CurrentSlot() ?? Slot.A;
        }
    }

    /// <summary>Checks an <c>update</c> command: signature by a trusted key, product, platform, architecture and
    /// anti-downgrade, all before a single byte is downloaded.</summary>
    public OfferOutcome Offer(UpdateOffer offer)
    {
        byte[] manifestBytes;
        try
        {
            manifestBytes = Convert.FromBase64String(offer.ManifestBase64);
        }
        catch (FormatException)
        {
            return Refuse(nameof(VerificationFailure.MalformedManifest), "the offered manifest is not base64");
        }

        var result = Verify(manifestBytes, offer.Signatures);
        if (!result.IsValid)
        {
            return Refuse(result.Failure.ToString(), result.Message, result.Manifest);
        }

        var manifest = result.Manifest;
        var now = _journal.Read();
        if (UpdateTransitions.IsBusy(now.Phase))
        {
            if (now.Uuid == manifest.Id)
            {
                return new OfferOutcome(true, null, $"already {now.Phase.ToString().ToLowerInvariant()} {manifest.Version}", manifest);
            }

            if (!UpdateTransitions.IsCancellable(now.Phase))
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
            FromVersion: installed?.Version.ToString()));
        return new OfferOutcome(true, null, $"accepted {manifest.Version} ({manifest.Id})", manifest);

        OfferOutcome Refuse(string failure, string message, Manifest? m = null)
        {
            var record = _journal.Read();
            if (!UpdateTransitions.IsBusy(record.Phase))
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

        var result = Verify(Convert.FromBase64String(record.ManifestBase64), record.Signatures);
        return result.IsValid ? result.Manifest : throw new InvalidOperationException($"the journalled manifest no longer verifies: {result}");
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

        Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(fresh, "manifest.json"), Convert.FromBase64String(record.ManifestBase64!));
        Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(fresh, "manifest.sig"), Encoding.UTF8.GetBytes(record.Signatures!));
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

    /// <summary>Decides what this start means for the update under way.</summary>
    public StartupDecision OnStartup()
    {
        var record = _journal.Read();
        var boot = _boot.Read();
        if (File.Exists(root.RollbackRecord))
        {
            var reason = ReadRollbackReason();
            File.Delete(root.RollbackRecord);
            if (record.Phase is UpdatePhase.Trial or UpdatePhase.Activating)
            {
                record = _journal.Advance(record with { Phase = UpdatePhase.RolledBack, Reason = reason });
            }

            return new StartupDecision(StartupStep.ReportRolledBack, record, reason);
        }

        switch (record.Phase)
        {
            case UpdatePhase.Offered or UpdatePhase.Downloading:
                return new StartupDecision(StartupStep.ResumeDownload, record);
            case UpdatePhase.Staged:
                return new StartupDecision(StartupStep.ResumeActivation, record);
            case UpdatePhase.Activating:
                // Cut during activation: if the trial never reached boot.json, activate again; else it is a trial.
                if (boot.Trial?.Slot != record.TargetSlot)
                {
                    return new StartupDecision(StartupStep.ResumeActivation, record);
                }

                record = _journal.Advance(record with { Phase = UpdatePhase.Trial });
                goto case UpdatePhase.Trial;
            case UpdatePhase.Trial:
                if (boot.InTrial && boot.Active == record.TargetSlot && RunningSlot == record.TargetSlot)
                {
                    return new StartupDecision(StartupStep.HealthCheck, record);
                }

                if (!boot.InTrial && boot.Committed == record.TargetSlot && RunningSlot == record.TargetSlot)
                {
                    record = _journal.Advance(record with { Phase = UpdatePhase.Committed });
                    return new StartupDecision(StartupStep.ReportCommitted, record);
                }

                var why = $"the trial of slot {record.TargetSlot} ended without a commit; running slot {RunningSlot}";
                record = _journal.Advance(record with { Phase = UpdatePhase.RolledBack, Reason = why });
                return new StartupDecision(StartupStep.ReportRolledBack, record, why);
            default:
                return new StartupDecision(StartupStep.Nothing, record);
        }
    }

    /// <summary>The trial passed its health check: the new slot becomes the committed one.</summary>
    public UpdateRecord Commit()
    {
        _boot.Commit();
        return _journal.Advance(_journal.Read() with { Phase = UpdatePhase.Committed, Reason = null });
    }

    /// <summary>The trial failed its health check: back to the committed slot. The agent exits after reporting.</summary>
    public UpdateRecord RollBack(string reason)
    {
        _boot.Revert();
        return _journal.Advance(_journal.Read() with { Phase = UpdatePhase.RolledBack, Reason = reason });
    }

    /// <summary>Stops an update that has not touched the boot state. Returns false when it is too late.</summary>
    public bool Cancel()
    {
        var record = _journal.Read();
        if (!UpdateTransitions.IsCancellable(record.Phase))
        {
            return record.Phase is UpdatePhase.Idle or UpdatePhase.Committed or UpdatePhase.RolledBack or UpdatePhase.Failed;
        }

        _journal.DiscardDownload();
        _journal.Advance(record with { Phase = UpdatePhase.Idle, Reason = "cancelled" });
        return true;
    }

    private VerificationResult Verify(byte[] manifestBytes, string signatures)
    {
        var policy = new VerificationPolicy(LoadTrustedKeys())
        {
            Product = identity.Product,
            Platform = identity.Platform,
            Architecture = identity.Architecture,
            InstalledVersion = identity.InstalledVersion,
        };
        return BundleVerifier.VerifyManifest(manifestBytes, Encoding.UTF8.GetBytes(signatures), policy);
    }

    /// <summary>The product's signing keys from provisioning. None, or an unreadable one, trusts nobody.</summary>
    private List<VerifyingKey> LoadTrustedKeys()
    {
        var keys = new List<VerifyingKey>();
        if (!Directory.Exists(root.TrustedKeysDir))
        {
            return keys;
        }

        foreach (var file in Directory.EnumerateFiles(root.TrustedKeysDir, "*.pub").Order(StringComparer.Ordinal))
        {
            try
            {
                keys.Add(VerifyingKey.Load(file));
            }
            catch (KeyFormatException)
            {
                // A damaged key file cannot vouch for anything; the others still count.
            }
        }

        return keys;
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
