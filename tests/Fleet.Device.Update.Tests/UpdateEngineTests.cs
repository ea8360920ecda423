using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;

namespace Fleet.Device.Update.Tests;

public sealed class UpdateEngineTests : IDisposable
{
    private readonly UpdateFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task A_signed_update_goes_from_offer_to_committed_in_the_other_slot()
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();

        var offer = engine.Offer(UpdateFixture.OfferFor(bundle));
        Assert.True(offer.Accepted, offer.Message);
        var source = new UpdateFixture.PayloadSource(UpdateFixture.Read(bundle).Payload, offer.Manifest!);
        var progress = await engine.DownloadAsync(source, null, CancellationToken.None);
        Assert.Equal(offer.Manifest!.Payload.Chunks.Count, progress.Held);

        var staged = await engine.StageAsync(CancellationToken.None);
        Assert.Equal(UpdatePhase.Staged, staged.Phase);
        Assert.Equal("agent 1.0.1", await File.ReadAllTextAsync(Path.Combine(_f.Root.SlotDir(Slot.B), "Fleet.Device.dll")));
        Assert.Equal(offer.Manifest.Version, InstalledFirmware.Read(_f.Root, Slot.B)!.Version);
        Assert.False(File.Exists(engine.Journal.StagingPath));

        engine.Activate();
        Assert.Equal(new BootState(Slot.B, Slot.A, new BootTrial(Slot.B, 0)), engine.Boot.Read());
        Assert.Equal(Slot.B, engine.Boot.CurrentSlot());

        _f.Running = Slot.B; // fleet-boot started the trial slot
        var restarted = _f.Engine("1.0.1");
        Assert.Equal(UpdateStep.HealthCheck, restarted.OnStartup().Resume);
        restarted.Commit();

        Assert.Equal(new BootState(Slot.B, Slot.B, null), restarted.Boot.Read());
        Assert.Equal(UpdatePhase.Committed, restarted.Journal.Read().Phase);
        var after = _f.Engine("1.0.1").OnStartup();
        Assert.Equal(UpdateStep.None, after.Resume);
        Assert.Equal(UpdateStages.Committed, after.Report); // said again at every start; the hub ignores repeats
    }

    [Fact]
    public async Task An_untrusted_key_is_refused_before_any_download()
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", SigningKey.Generate());

        var offer = _f.Engine().Offer(UpdateFixture.OfferFor(bundle));

        Assert.False(offer.Accepted);
        Assert.Equal("UnknownKey", offer.Failure);
        Assert.Equal(UpdatePhase.Failed, _f.Engine().Journal.Read().Phase);
        Assert.False(File.Exists(_f.Engine().Journal.StagingPath));
    }

    [Fact]
    public async Task An_offer_to_a_device_with_nothing_installed_is_refused_and_journalled_failed()
    {
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);

        var offer = _f.Engine().Offer(UpdateFixture.OfferFor(bundle));

        Assert.False(offer.Accepted);
        Assert.Equal("NotInstalled", offer.Failure);
        var record = _f.Engine().Journal.Read();
        Assert.Equal(UpdatePhase.Failed, record.Phase);
        Assert.StartsWith("NotInstalled:", record.Reason);
        Assert.Equal(UpdateStep.None, _f.Engine().OnStartup().Resume);
    }

    [Fact]
    public async Task A_downgrade_and_a_foreign_platform_are_refused()
    {
        await _f.InstallBaseAsync("1.0.0");
        var older = await _f.BuildAsync("0.9.0", _f.Key);
        var foreign = await _f.BuildAsync("1.0.1", _f.Key, platform: "rpi4");

        Assert.Equal("DowngradeRefused", _f.Engine().Offer(UpdateFixture.OfferFor(older)).Failure);
        Assert.Equal("PlatformMismatch", _f.Engine().Offer(UpdateFixture.OfferFor(foreign)).Failure);
    }

    [Fact]
    public async Task A_tampered_manifest_is_refused()
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var (manifest, sig, _) = UpdateFixture.Read(bundle);
        var tampered = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(manifest).Replace("1.0.1", "1.0.2", StringComparison.Ordinal));

        var offer = _f.Engine().Offer(new Protocol.Messages.UpdateOffer(Convert.ToBase64String(tampered), sig, 0));

        Assert.Equal("BadSignature", offer.Failure);
    }

    [Fact]
    public async Task Fleet_boots_rollback_record_is_reported_with_its_reason()
    {
        await _f.InstallBaseAsync();
        var engine = await OfferedAndStagedAsync();
        engine.Activate();
        Directory.CreateDirectory(_f.Root.UpdateDir);
        await File.WriteAllTextAsync(_f.Root.RollbackRecord, "{\"slot\":\"b\",\"reason\":\"trial slot b was started 3 times without committing\"}");

        var decision = _f.Engine().OnStartup();

        Assert.Equal(UpdateStages.RolledBack, decision.Report);
        Assert.Equal(UpdateStep.None, decision.Resume);
        Assert.Contains("started 3 times", decision.Reason);
        Assert.Equal(UpdatePhase.RolledBack, decision.Record.Phase);
        Assert.False(File.Exists(_f.Root.RollbackRecord));
    }

    [Fact]
    public async Task A_failed_health_check_reverts_to_the_committed_slot()
    {
        await _f.InstallBaseAsync();
        var engine = await OfferedAndStagedAsync();
        engine.Activate();
        _f.Running = Slot.B;

        _f.Engine().RollBack("sensors never read");

        Assert.Equal(BootState.Fresh, _f.Engine().Boot.Read());
    }

    [Fact]
    public async Task An_offer_of_the_update_already_under_way_is_a_no_op_that_keeps_the_download()
    {
        // A hub node that takes a rollout over offers again what the dead node may not have sent (docs/scale-out.md).
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();
        var first = engine.Offer(UpdateFixture.OfferFor(bundle));
        Assert.True(first.Accepted, first.Message);
        var source = new UpdateFixture.PayloadSource(UpdateFixture.Read(bundle).Payload, first.Manifest!);
        await engine.DownloadAsync(source, null, CancellationToken.None);
        var before = engine.Journal.Read();
        var staging = await File.ReadAllBytesAsync(engine.Journal.StagingPath);

        var again = _f.Engine().Offer(UpdateFixture.OfferFor(bundle));

        Assert.True(again.Accepted, again.Message);
        Assert.StartsWith("already", again.Message);
        Assert.Equal(before, engine.Journal.Read());
        Assert.Equal(staging, await File.ReadAllBytesAsync(engine.Journal.StagingPath));
        var staged = await engine.StageAsync(CancellationToken.None);
        Assert.Equal(UpdatePhase.Staged, staged.Phase);
    }

    [Fact]
    public async Task Cancel_discards_a_download_but_not_an_activated_trial()
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();
        engine.Offer(UpdateFixture.OfferFor(bundle));

        Assert.True(engine.Cancel());
        Assert.Equal(UpdatePhase.Idle, engine.Journal.Read().Phase);

        var staged = await OfferedAndStagedAsync();
        staged.Activate();
        Assert.False(staged.Cancel());
        Assert.Equal(UpdatePhase.Trial, staged.Journal.Read().Phase);
    }

    /// <summary>Crash table: the agent dies in each phase; the next start must take the step listed.</summary>
    [Theory]
    [InlineData("offered", UpdateStep.Download, null)]
    [InlineData("downloading", UpdateStep.Download, null)]
    [InlineData("staged", UpdateStep.Activate, null)]
    [InlineData("activating-before-boot-json", UpdateStep.Activate, null)]
    [InlineData("activating-after-boot-json", UpdateStep.HealthCheck, null)]
    [InlineData("trial", UpdateStep.HealthCheck, null)]
    [InlineData("trial-reverted-by-fleet-boot", UpdateStep.None, UpdateStages.RolledBack)]
    [InlineData("committed-in-boot-json-only", UpdateStep.None, UpdateStages.Committed)]
    public async Task A_crash_in_each_phase_resumes_or_falls_back(string crashPoint, UpdateStep expected, string? report)
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();
        var offer = engine.Offer(UpdateFixture.OfferFor(bundle));
        var source = new UpdateFixture.PayloadSource(UpdateFixture.Read(bundle).Payload, offer.Manifest!);

        switch (crashPoint)
        {
            case "offered":
                break;
            case "downloading":
                engine.Journal.Advance(engine.Journal.Read() with { Phase = UpdatePhase.Downloading });
                break;
            case "staged":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                break;
            case "activating-before-boot-json":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                engine.Journal.Advance(engine.Journal.Read() with { Phase = UpdatePhase.Activating });
                break;
            case "activating-after-boot-json":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                engine.Journal.Advance(engine.Journal.Read() with { Phase = UpdatePhase.Activating });
                engine.Boot.BeginTrial(Slot.B);
                _f.Running = Slot.B;
                break;
            case "trial":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                engine.Activate();
                _f.Running = Slot.B;
                break;
            case "trial-reverted-by-fleet-boot":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                engine.Activate();
                engine.Boot.Revert();
                _f.Running = Slot.A;
                break;
            case "committed-in-boot-json-only":
                await engine.DownloadAsync(source, null, CancellationToken.None);
                await engine.StageAsync(CancellationToken.None);
                engine.Activate();
                engine.Boot.Commit();
                _f.Running = Slot.B;
                break;
        }

        var decision = _f.Engine().OnStartup();

        Assert.Equal(expected, decision.Resume);
        Assert.Equal(report, decision.Report);
        var boot = _f.Engine().Boot.Read();
        Assert.True(File.Exists(_f.Root.SlotManifest(boot.Committed)), "the committed slot always holds firmware");
    }

    private async Task<UpdateEngine> OfferedAndStagedAsync()
    {
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();
        var offer = engine.Offer(UpdateFixture.OfferFor(bundle));
        await engine.DownloadAsync(new UpdateFixture.PayloadSource(UpdateFixture.Read(bundle).Payload, offer.Manifest!), null, CancellationToken.None);
        await engine.StageAsync(CancellationToken.None);
        return engine;
    }
}
