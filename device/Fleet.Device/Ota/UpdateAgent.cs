using Fleet.Device.Link;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Ota;

/// <summary>Runs the device's update flow (<see cref="UpdateFlow"/>, driven by <see cref="UpdateFlowRunner"/>) inside
/// the agent: takes offers, downloads over MQTT, stages, activates and exits so fleet-boot starts the new slot; at
/// every start it resumes the step the journal holds (the trial's health check included) and says a final outcome
/// again. Every step is reported on <c>events</c> as an update stage with the firmware's uuid and version.</summary>
internal sealed class UpdateAgent : BackgroundService, IUpdateHost
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

    /// <summary>The engine for this start. Trust expiry is judged on the wall clock, not the simulation's scaled one.</summary>
    private UpdateEngine Engine() => UpdateEngine.ForRunningSlot(_root, _link.Serial, TimeProvider.System);

    /// <summary>The <c>update</c> command: verify before any download, answer at once, work in the background.</summary>
    public CommandResponse Offer(UpdateOffer offer)
    {
        var engine = Engine();
        OfferOutcome outcome;
        lock (_gate)
        {
            outcome = engine.Offer(offer);
            // A repeated offer of the update under way (a hub re-offering after a takeover) is a no-op; only a
            // download or an activation still has work to start here. In trial the new slot is already running.
            var step = UpdateFlow.Of(engine.Journal.Read().Phase).Step;
            if (outcome.Accepted && _running.IsCompleted && step is UpdateStep.Download or UpdateStep.Activate)
            {
                Report(UpdateStages.Received, outcome.Manifest?.Id, outcome.Manifest?.Version.ToString(), progress: 0);
                StartWork(engine);
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
        if (UpdateFlow.IsCancellable(record.Phase))
        {
            lock (_gate)
            {
                _work?.Cancel();
            }
        }

        if (!engine.Cancel())
        {
            return new CommandResponse(false, "TooLate", $"update to {record.Version} is {record.Phase.ToString().ToLowerInvariant()}; it can no longer be cancelled");
        }

        if (record.Uuid is not null && UpdateFlow.IsCancellable(record.Phase))
        {
            Report(UpdateStages.Failed, record.Uuid, record.Version, reason: "Cancelled: cancelled by the hub");
        }

        return new CommandResponse(true, Detail: "no update under way");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var engine = Engine();
        var decision = engine.OnStartup();
        var r = decision.Record;
        _log.LogInformation("Update state at start: {Phase} {Version}; resume {Step}", r.Phase, r.Version, decision.Resume);
        if (decision.Report is not null)
        {
            // A final outcome whose event may have died with the previous process, or one this start found.
            new UpdateFlowRunner(engine, this).Announce(r);
        }

        if (decision.Resume != UpdateStep.None)
        {
            lock (_gate)
            {
                StartWork(engine);
            }
        }

        return Task.CompletedTask;
    }

    private void StartWork(UpdateEngine engine)
    {
        _work?.Dispose();
        _work = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var ct = _work.Token;
        var runner = new UpdateFlowRunner(engine, this);
        _running = Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(ct);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogError(ex, "Update flow stopped");
            }
        }, CancellationToken.None);
    }

    IChunkSource IUpdateHost.OpenChunks(UpdateRecord record) => _source = new MqttChunkSource(_link, record.Uuid!);

    void IUpdateHost.CloseChunks() => _source = null;

    IProgress<DownloadProgress>? IUpdateHost.Progress(UpdateRecord record) => new ProgressThrottle(this, record);

    async Task<string?> IUpdateHost.CheckTrialAsync(CancellationToken ct)
    {
        _log.LogInformation("Trial in slot {Slot}: health check", Engine().RunningSlot);
        return await _health.WaitHealthyAsync(TrialLimit, ct);
    }

    void IUpdateHost.Report(string stage, UpdateRecord record, double? progress, string? reason, string? detail)
    {
        if (stage is UpdateStages.Failed or UpdateStages.RolledBack)
        {
            _log.LogError("Update to {Version}: {Stage}: {Reason}", record.Version, stage, reason);
        }
        else if (stage != UpdateStages.Downloading || progress is 1)
        {
            _log.LogInformation("Update to {Version}: {Stage} {Detail}", record.Version, stage, detail);
        }

        Report(stage, record.Uuid, record.Version, progress, reason, detail);
    }

    Task IUpdateHost.RestartAsync() => RestartAsync();

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
            agent.Report(UpdateStages.Downloading, record.Uuid, record.Version, progress: Math.Round(value.Fraction, 3), detail: value.Describe());
        }
    }
}
