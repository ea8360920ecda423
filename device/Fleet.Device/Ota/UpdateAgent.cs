using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Semver;

namespace Fleet.Device.Ota;

/// <summary>Runs <see cref="UpdateEngine"/> inside the agent: takes offers, downloads over MQTT, stages, activates and
/// exits so fleet-boot starts the new slot; at every start it acts on the engine's <see cref="StartupDecision"/>
/// (resume the download, finish the activation, run the trial health check, report the outcome). Every step is
/// reported on <c>events</c> as an update stage with the firmware's uuid and version.</summary>
internal sealed class UpdateAgent : BackgroundService
{
    /// <summary>How long a trial start may take to show it is healthy before it is rolled back.</summary>
    public static readonly TimeSpan TrialLimit = TimeSpan.FromSeconds(90);

    private readonly Update.DeviceRoot _root;
    private readonly IDeviceLink _link;
    private readonly EventOutbox _events;
    private readonly TrialHealthCheck _health;
    private readonly TimeProvider _clock;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<UpdateAgent> _log;
    private readonly Lock _gate = new();
    private MqttChunkSource? _source;
    private CancellationTokenSource? _work;
    private Task _running = Task.CompletedTask;
    private CancellationToken _stopping;

    public UpdateAgent(Update.DeviceRoot root, IDeviceLink link, EventOutbox events, TrialHealthCheck health, TimeProvider clock,
        IHostApplicationLifetime lifetime, ILogger<UpdateAgent> log)
    {
        _root = root;
        _link = link;
        _events = events;
        _health = health;
        _clock = clock;
        _lifetime = lifetime;
        _log = log;
        _link.Subscribe($"{Topics.FirmwareChunkKind}/+", (message, _) =>
        {
            _source?.Accept(message);
            return Task.CompletedTask;
        });
    }

    /// <summary>The engine for this start: the identity is the running slot's manifest, never the agent's own claim.
    /// Trust expiry is judged on the wall clock, not the simulation's scaled one.</summary>
    private UpdateEngine Engine()
    {
        var slot = new UpdateEngine(_root, new UpdateIdentity("", "", "", null)).RunningSlot;
        var installed = InstalledFirmware.Read(_root, slot);
        var identity = installed is null
            ? new UpdateIdentity("", "", "", null)
            : new UpdateIdentity(installed.Product, installed.Platform, installed.Architecture, installed.Version);
        return new UpdateEngine(_root, identity, serial: _link.Serial, clock: TimeProvider.System);
    }

    /// <summary>The <c>update</c> command: verify before any download, answer at once, work in the background.</summary>
    public CommandResponse Offer(UpdateOffer offer)
    {
        var engine = Engine();
        if (InstalledFirmware.Read(_root, engine.RunningSlot) is null)
        {
            const string why = "NotInstalled: the running slot has no manifest.json, so nothing can be checked against it; install firmware into a slot first";
            Report(UpdateStages.Failed, (string?)null, null, reason: why);
            return new CommandResponse(false, "NotInstalled", why);
        }

        OfferOutcome outcome;
        lock (_gate)
        {
            outcome = engine.Offer(offer);
            // A repeated offer of the update under way (a hub re-offering after a takeover) is a no-op; only a
            // download or a staged update still has work to start. In trial the new slot is already running.
            var phase = engine.Journal.Read().Phase;
            if (outcome.Accepted && _running.IsCompleted && phase is UpdatePhase.Offered or UpdatePhase.Downloading or UpdatePhase.Staged)
            {
                Report(UpdateStages.Received, outcome.Manifest?.Id, outcome.Manifest?.Version.ToString(), progress: 0);
                StartWork(engine, activateOnly: phase == UpdatePhase.Staged);
            }
        }

        if (!outcome.Accepted)
        {
            var reason = $"{outcome.Failure}: {outcome.Message}";
            _log.LogWarning("Refused update {Uuid}: {Reason}", outcome.Manifest?.Id, reason);
            Report(UpdateStages.Failed, outcome.Manifest?.Id, outcome.Manifest?.Version.ToString(), reason: reason);
            return new CommandResponse(false, outcome.Failure, outcome.Message);
        }

        return new CommandResponse(true, Detail: outcome.Message);
    }

    /// <summary>The <c>cancel-update</c> command: stops a download or a staged update that has not touched boot.json.</summary>
    public CommandResponse Cancel()
    {
        var engine = Engine();
        var record = engine.Journal.Read();
        lock (_gate)
        {
            _work?.Cancel();
        }

        if (!engine.Cancel())
        {
            return new CommandResponse(false, "TooLate", $"update to {record.Version} is {record.Phase.ToString().ToLowerInvariant()}; it can no longer be cancelled");
        }

        if (record.Uuid is not null && UpdateTransitions.IsCancellable(record.Phase))
        {
            Report(UpdateStages.Failed, record.Uuid, record.Version, reason: "Cancelled: cancelled by the hub");
        }

        return new CommandResponse(true, Detail: "no update under way");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var engine = Engine();
        var decision = engine.OnStartup();
        var r = decision.Record;
        _log.LogInformation("Update state at start: {Phase} {Version}; {Step}", r.Phase, r.Version, decision.Step);
        switch (decision.Step)
        {
            case StartupStep.ResumeDownload:
                lock (_gate)
                {
                    StartWork(engine, activateOnly: false);
                }

                break;
            case StartupStep.ResumeActivation:
                lock (_gate)
                {
                    StartWork(engine, activateOnly: true);
                }

                break;
            case StartupStep.HealthCheck:
                await TrialAsync(engine, r, stoppingToken);
                break;
            case StartupStep.ReportRolledBack:
                Report(UpdateStages.RolledBack, r.Uuid, r.Version, reason: decision.Reason ?? r.Reason);
                break;
            case StartupStep.ReportCommitted:
                Report(UpdateStages.Committed, r.Uuid, r.Version, progress: 1);
                break;
            default:
                // A final outcome whose event may have died with the previous process: say it again (the hub ignores repeats).
                if (r.Uuid is not null)
                {
                    switch (r.Phase)
                    {
                        case UpdatePhase.Committed:
                            Report(UpdateStages.Committed, r.Uuid, r.Version, progress: 1);
                            break;
                        case UpdatePhase.RolledBack:
                            Report(UpdateStages.RolledBack, r.Uuid, r.Version, reason: r.Reason);
                            break;
                    }
                }

                break;
        }
    }

    private async Task TrialAsync(UpdateEngine engine, UpdateRecord r, CancellationToken ct)
    {
        _log.LogInformation("Trial of {Version} in slot {Slot}: health check", r.Version, r.TargetSlot);
        var problem = await _health.WaitHealthyAsync(TrialLimit, ct);
        if (ct.IsCancellationRequested)
        {
            return;
        }

        if (problem is null)
        {
            engine.Commit();
            _log.LogInformation("Committed {Version}", r.Version);
            Report(UpdateStages.Committed, r.Uuid, r.Version, progress: 1);
            return;
        }

        engine.RollBack(problem);
        _log.LogError("Rolling back {Version}: {Problem}", r.Version, problem);
        Report(UpdateStages.RolledBack, r.Uuid, r.Version, reason: problem);
        await RestartAsync();
    }

    private void StartWork(UpdateEngine engine, bool activateOnly)
    {
        _work?.Dispose();
        _work = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var ct = _work.Token;
        _running = Task.Run(() => WorkAsync(engine, activateOnly, ct), CancellationToken.None);
    }

    private async Task WorkAsync(UpdateEngine engine, bool activateOnly, CancellationToken ct)
    {
        var record = engine.Journal.Read();
        try
        {
            if (!activateOnly)
            {
                var source = new MqttChunkSource(_link, record.Uuid!);
                _source = source;
                var throttle = new ProgressThrottle(this, record);
                var done = await engine.DownloadAsync(source, throttle, ct);
                _log.LogInformation("Downloaded {Version}: {Held}/{Total} chunks, {Requested} requested, {Corrupt} corrupt", record.Version, done.Held, done.Total, done.Requested, done.Corrupt);
                Report(UpdateStages.Downloading, record.Uuid, record.Version, progress: 1, detail: Describe(done));
                _source = null;
                var staged = await engine.StageAsync(ct);
                if (staged.Phase == UpdatePhase.Failed)
                {
                    Report(UpdateStages.Failed, record.Uuid, record.Version, reason: staged.Reason);
                    return;
                }

                Report(UpdateStages.Staged, record.Uuid, record.Version, progress: 1);
            }

            engine.Activate();
            Report(UpdateStages.Rebooting, record.Uuid, record.Version, progress: 1, detail: $"starting slot {record.TargetSlot}");
            await RestartAsync();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(ex, "Update to {Version} failed", record.Version);
            Report(UpdateStages.Failed, record.Uuid, record.Version, reason: $"Error: {ex.Message}");
        }
    }

    /// <summary>Lets the queued events reach the hub, then stops the agent; its supervisor runs fleet-boot again, which
    /// starts the slot boot.json names.</summary>
    private async Task RestartAsync()
    {
        var start = TimeProvider.System.GetTimestamp();
        while (_events.Reader.Count > 0 && _link.IsConnected && TimeProvider.System.GetElapsedTime(start) < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100, CancellationToken.None);
        }

        _lifetime.StopApplication();
    }

    internal void Report(string stage, Guid? uuid, string? version, double? progress = null, string? reason = null, string? detail = null) =>
        Report(stage, uuid?.ToString(), version, progress, reason, detail);

    internal void Report(string stage, string? uuid, string? version, double? progress = null, string? reason = null, string? detail = null) =>
        _events.Publish(new DeviceEvent(EventKinds.Update, stage, _clock.GetUtcNow(), detail, uuid, version, reason, progress));

    internal static string Describe(DownloadProgress p) =>
        $"{p.Held}/{p.Total} chunks held, {p.Requested} requested, {p.Corrupt} corrupt, {p.Duplicates} duplicate";

    /// <summary>At most one <c>downloading</c> event a second or per 10% step, so a big download does not flood the hub.</summary>
    private sealed class ProgressThrottle(UpdateAgent agent, UpdateRecord record) : IProgress<DownloadProgress>
    {
        private long _last = long.MinValue;
        private double _lastFraction = -1;

        public void Report(DownloadProgress value)
        {
            if (_last != long.MinValue && TimeProvider.System.GetElapsedTime(_last) < TimeSpan.FromSeconds(1) && value.Fraction - _lastFraction < 0.1)
            {
                return;
            }

            _last = TimeProvider.System.GetTimestamp();
            _lastFraction = value.Fraction;
            agent.Report(UpdateStages.Downloading, record.Uuid, record.Version, progress: Math.Round(value.Fraction, 3), detail: Describe(value));
        }
    }
}
