using System.Text.Json.Nodes;
using System.Threading.Channels;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Update.Tests;

/// <summary>The update flow as <see cref="UpdateFlowRunner"/> drives it: the table's moves, the attempts counter that
/// breaks a crash loop, and a failure written to the journal before it is reported.</summary>
public sealed class UpdateFlowTests : IDisposable
{
    private readonly UpdateFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Every_move_of_the_flow_is_one_the_journal_allows()
    {
        foreach (var phase in UpdateFlow.Phases)
        {
            Assert.Equal(phase, UpdateFlow.Of(phase.Phase));
            Assert.Equal(phase.Step == UpdateStep.None, phase.OnSuccess is null);
            Assert.Equal(phase.Step == UpdateStep.None, phase.OnFailure is null);
            if (phase.Via is { } via)
            {
                Assert.True(via == phase.Phase || UpdateTransitions.IsAllowed(phase.Phase, via), $"{phase.Phase} -> {via}");
                Assert.Equal(phase.Step, UpdateFlow.Of(via).Step);
            }

            foreach (var next in new[] { phase.OnSuccess, phase.OnFailure }.OfType<UpdatePhase>())
            {
                // A failure may come before the step's first write (its checks) or after it.
                Assert.True(UpdateTransitions.IsAllowed(phase.Via ?? phase.Phase, next), $"{phase.Via ?? phase.Phase} -> {next}");
                Assert.True(next == phase.OnSuccess || UpdateTransitions.IsAllowed(phase.Phase, next), $"{phase.Phase} -> {next}");
            }
        }

        Assert.Equal(Enum.GetValues<UpdatePhase>().Length, UpdateFlow.Phases.Count);
    }

    [Fact]
    public async Task An_update_runs_from_offer_to_the_restart_and_the_trial_start_commits()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();
        var host = new Host(engine, payload);

        await new UpdateFlowRunner(engine, host).RunAsync(CancellationToken.None);

        Assert.Equal(UpdatePhase.Trial, engine.Journal.Read().Phase);
        Assert.Equal(1, host.Restarts);
        Assert.Equal([UpdateStages.Staged, UpdateStages.Rebooting], host.Reports.Select(r => r.Stage).Where(s => s != UpdateStages.Downloading));
        Assert.Contains(host.Reports, r => r.Stage == UpdateStages.Downloading && r.Progress == 1);

        _f.Running = Slot.B;
        var trial = _f.Engine("1.0.1");
        Assert.Equal(UpdateStep.HealthCheck, trial.OnStartup().Resume);
        var trialHost = new Host(trial, payload);
        await new UpdateFlowRunner(trial, trialHost).RunAsync(CancellationToken.None);

        Assert.Equal(UpdatePhase.Committed, trial.Journal.Read().Phase);
        Assert.Equal([UpdateStages.Committed], trialHost.Reports.Select(r => r.Stage));
        Assert.Equal(0, trialHost.Restarts);
        Assert.Equal(new BootState(Slot.B, Slot.B, null), trial.Boot.Read());
    }

    [Fact]
    public async Task A_failed_trial_is_rolled_back_in_the_journal_reported_and_restarted()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();
        await new UpdateFlowRunner(engine, new Host(engine, payload)).RunAsync(CancellationToken.None);
        _f.Running = Slot.B;
        var trial = _f.Engine("1.0.1");
        var host = new Host(trial, payload) { Health = "sensors never read: ph" };

        await new UpdateFlowRunner(trial, host).RunAsync(CancellationToken.None);

        var report = Assert.Single(host.Reports);
        Assert.Equal(UpdateStages.RolledBack, report.Stage);
        Assert.Equal("sensors never read: ph", report.Reason);
        Assert.Equal(UpdatePhase.RolledBack, report.JournalPhase);
        Assert.Equal(1, host.Restarts);
        Assert.Equal(BootState.Fresh, trial.Boot.Read());
    }

    [Fact]
    public async Task An_agent_that_dies_in_its_download_every_time_gives_the_update_up_after_the_limit()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();

        // Each start dies after its first chunks (the token stands for the process being killed: the journal keeps
        // whatever the step had written).
        for (var start = 1; start <= UpdateFlow.MaxAttempts; start++)
        {
            using var death = new CancellationTokenSource();
            var dying = new Host(_f.Engine(), payload) { DieAfterChunks = 1, Death = death };
            Assert.Equal(UpdateStep.Download, _f.Engine().OnStartup().Resume);
            await new UpdateFlowRunner(_f.Engine(), dying).RunAsync(death.Token);
            Assert.Equal(UpdatePhase.Downloading, engine.Journal.Read().Phase);
            Assert.Equal(start, engine.Journal.Read().Attempts);
            Assert.DoesNotContain(dying.Reports, r => r.Stage != UpdateStages.Downloading);
        }

        Assert.Equal(UpdateStep.Download, _f.Engine().OnStartup().Resume);
        var last = new Host(_f.Engine(), payload);
        await new UpdateFlowRunner(_f.Engine(), last).RunAsync(CancellationToken.None);

        Assert.Equal(0, last.Requested);
        var report = Assert.Single(last.Reports);
        Assert.Equal(UpdateStages.Failed, report.Stage);
        Assert.StartsWith("CrashLoop:", report.Reason);
        Assert.Contains($"{UpdateFlow.MaxAttempts} times", report.Reason);
        Assert.Equal(UpdatePhase.Failed, report.JournalPhase);
        Assert.False(File.Exists(engine.Journal.StagingPath));
        Assert.Equal(UpdateStep.None, _f.Engine().OnStartup().Resume);
    }

    [Fact]
    public async Task A_journal_written_before_the_attempts_counter_loads_whole_and_resumes()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();
        engine.Journal.Advance(engine.Journal.Read() with { Phase = UpdatePhase.Downloading });
        var before = engine.Journal.Read();
        var json = JsonNode.Parse(await File.ReadAllTextAsync(engine.Journal.JournalPath))!.AsObject();
        json.Remove("attempts");
        await File.WriteAllTextAsync(engine.Journal.JournalPath, json.ToJsonString());

        var old = _f.Engine().Journal.Read();
        Assert.Equal(before with { Attempts = 0 }, old);
        Assert.Equal(UpdateStep.Download, _f.Engine().OnStartup().Resume);
        await new UpdateFlowRunner(_f.Engine(), new Host(_f.Engine(), payload)).RunAsync(CancellationToken.None);
        Assert.Equal(UpdatePhase.Trial, engine.Journal.Read().Phase);
    }

    [Fact]
    public async Task A_failed_step_is_written_to_the_journal_before_it_is_reported_and_the_next_start_does_not_resume()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();
        engine.Journal.Advance(engine.Journal.Read() with { Phase = UpdatePhase.Downloading });
        // The key that signed the offer is no longer trusted: the journalled manifest does not verify any more.
        foreach (var key in Directory.GetFiles(_f.Root.TrustedKeysDir))
        {
            File.Delete(key);
        }

        var host = new Host(_f.Engine(), payload);
        await new UpdateFlowRunner(_f.Engine(), host).RunAsync(CancellationToken.None);

        var report = Assert.Single(host.Reports);
        Assert.Equal(UpdateStages.Failed, report.Stage);
        Assert.Contains("no longer verifies", report.Reason);
        Assert.Equal(UpdatePhase.Failed, report.JournalPhase);
        Assert.Equal(report.Reason, engine.Journal.Read().Reason);
        Assert.Equal(0, host.Requested);

        var next = _f.Engine().OnStartup();
        Assert.Equal(UpdateStep.None, next.Resume);
        Assert.Null(next.Report);
        var again = new Host(_f.Engine(), payload);
        await new UpdateFlowRunner(_f.Engine(), again).RunAsync(CancellationToken.None);
        Assert.Empty(again.Reports);
        Assert.Equal(UpdatePhase.Failed, engine.Journal.Read().Phase);
    }

    [Fact]
    public async Task A_staging_that_finds_a_corrupt_payload_fails_in_the_journal_first()
    {
        await _f.InstallBaseAsync();
        var (engine, payload) = await OfferAsync();
        var host = new Host(engine, payload) { CorruptStagingAfterDownload = true };

        await new UpdateFlowRunner(engine, host).RunAsync(CancellationToken.None);

        var failed = Assert.Single(host.Reports, r => r.Stage == UpdateStages.Failed);
        Assert.Equal(UpdatePhase.Failed, failed.JournalPhase);
        Assert.Contains("SHA-256", failed.Reason);
        Assert.Equal(0, host.Restarts);
        Assert.Equal(UpdateStep.None, _f.Engine().OnStartup().Resume);
    }

    private async Task<(UpdateEngine Engine, byte[] Payload)> OfferAsync()
    {
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);
        var engine = _f.Engine();
        var offer = engine.Offer(UpdateFixture.OfferFor(bundle));
        Assert.True(offer.Accepted, offer.Message);
        return (engine, UpdateFixture.Read(bundle).Payload);
    }

    private sealed record Sent(string Stage, double? Progress, string? Reason, UpdatePhase JournalPhase);

    /// <summary>The agent's side of the flow, in memory: serves chunks of the real payload, records each report with
    /// the journal phase at the moment it was made.</summary>
    private sealed class Host(UpdateEngine engine, byte[] payload) : IUpdateHost
    {
        private int _served;

        public List<Sent> Reports { get; } = [];

        public int Restarts { get; private set; }

        public int Requested { get; private set; }

        public string? Health { get; init; }

        public int DieAfterChunks { get; init; } = int.MaxValue;

        public CancellationTokenSource? Death { get; init; }

        public bool CorruptStagingAfterDownload { get; init; }

        public IChunkSource OpenChunks(UpdateRecord record) => new Source(this, engine.CurrentManifest());

        public void CloseChunks()
        {
            if (CorruptStagingAfterDownload)
            {
                using var staging = File.OpenWrite(engine.Journal.StagingPath);
                staging.Write([0xff, 0xfe, 0xfd]);
            }
        }

        public IProgress<DownloadProgress>? Progress(UpdateRecord record) => null;

        public Task<string?> CheckTrialAsync(CancellationToken ct) => Task.FromResult(Health);

        public void Report(string stage, UpdateRecord record, double? progress = null, string? reason = null, string? detail = null) =>
            Reports.Add(new Sent(stage, progress, reason, engine.Journal.Read().Phase));

        public Task RestartAsync()
        {
            Restarts++;
            return Task.CompletedTask;
        }

        private sealed class Source(Host host, Protocol.Bundles.Manifest manifest) : IChunkSource
        {
            private readonly Channel<ReceivedChunk> _chunks = Channel.CreateUnbounded<ReceivedChunk>();

            public ChannelReader<ReceivedChunk> Chunks => _chunks.Reader;

            public Task RequestAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
            {
                foreach (var i in indexes)
                {
                    host.Requested++;
                    if (host._served++ >= host.DieAfterChunks)
                    {
                        host.Death?.Cancel();
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var offset = manifest.Payload.OffsetOf(i);
                    _chunks.Writer.TryWrite(new ReceivedChunk(i, host.Payload.AsMemory((int)offset, manifest.Payload.Chunks[i].Size)));
                }

                return Task.CompletedTask;
            }
        }

        private byte[] Payload => payload;
    }
}
