using System.Collections.Concurrent;
using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Sensors;
using Fleet.Device.Simulation;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Device.Tests.Sensors;

public sealed class SensorLoopTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly AgentProfile _profile = new()
    {
        Sampling = new SamplingProfile { IntervalMs = 20, BackoffInitialMs = 20, BackoffMaxMs = 160 },
    };

    private readonly SimulatedBoard _sim;
    private readonly Board _board;
    private readonly SensorReadings _readings = new();
    private readonly RecordingEvents _events = new();
    private readonly ConcurrentQueue<Reading> _stream = new();
    private readonly CancellationTokenSource _stop = new();

    public SensorLoopTests()
    {
        _sim = new SimulatedBoard(_profile, TimeProvider.System, _dir.Path);
        _board = new Board(_sim, _profile);
    }

    [Fact]
    public async Task A_nacking_chip_restarts_only_its_loops_with_doubling_backoff_while_the_others_keep_reading()
    {
        var supervisor = Start();
        await Eventually.Until(() => Count(SensorNames.Ph) > 3 && Count(SensorNames.WaterTemperature) > 3, "first readings");

        _sim.Faults.Set(ChipId.Adc, ChipFault.Nack);
        await Eventually.Until(() => _events.Of(EventKinds.Sensor, SensorNames.Ph).Count >= 5, "five pH restarts");
        var waterBefore = Count(SensorNames.WaterTemperature);
        await Eventually.Until(() => Count(SensorNames.WaterTemperature) >= waterBefore + 5, "water temperature still read while the ADC fails");

        var faults = _events.Of(EventKinds.Sensor, SensorNames.Ph);
        Assert.All(faults, e => Assert.Equal("fault", e.Detail));
        Assert.Contains("Remote I/O error", faults[0].Reason);
        string[] backoffs = ["in 0.02 s", "in 0.04 s", "in 0.08 s", "in 0.16 s", "in 0.16 s"];
        for (var i = 0; i < backoffs.Length; i++)
        {
            Assert.EndsWith(backoffs[i], faults[i].Reason);
        }

        Assert.DoesNotContain(_events.Of(EventKinds.Sensor, SensorNames.Ph), e => e.Detail == "recovered");
        Assert.Empty(_events.Of(EventKinds.Sensor, SensorNames.WaterTemperature));
        Assert.Empty(_events.Of(EventKinds.Sensor, SensorNames.AirTemperature));
        Assert.Empty(_events.Of(EventKinds.Sensor, SensorNames.Light));

        _sim.Faults.Set(ChipId.Adc, ChipFault.None);
        await Eventually.Until(() => _events.Of(EventKinds.Sensor, SensorNames.Ph).Any(e => e.Detail == "recovered"), "pH recovery");
        await Eventually.Until(() => _readings.TryGetFresh(SensorNames.Ph, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), out _), "fresh pH");
        await StopAsync(supervisor);
    }

    [Fact]
    public async Task A_failed_sensor_has_no_value_and_publishes_nothing_until_it_recovers()
    {
        var supervisor = Start();
        await Eventually.Until(() => Count(SensorNames.Light) > 2, "light readings");

        _sim.Faults.Set(ChipId.LightMeter, ChipFault.Disconnected);
        await Eventually.Until(() => _events.Of(EventKinds.Sensor, SensorNames.Light).Count >= 2, "light faults");
        var firstFault = _events.Of(EventKinds.Sensor, SensorNames.Light)[0].Ts;
        Assert.False(_readings.TryGetFresh(SensorNames.Light, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), out _));
        await Eventually.Until(() => _events.Of(EventKinds.Sensor, SensorNames.Light).Count >= 4, "more light faults");

        Assert.DoesNotContain(_stream, r => r.Sensor == SensorNames.Light && r.Ts > firstFault);
        await StopAsync(supervisor);
    }

    [Fact]
    public async Task A_1wire_crc_failure_is_a_failed_read_not_a_repeat_of_the_last_value()
    {
        var supervisor = Start();
        await Eventually.Until(() => Count(SensorNames.WaterTemperature) > 2, "water readings");

        _sim.Faults.Set(ChipId.WaterThermometer, ChipFault.Nack);
        await Eventually.Until(() => _events.Of(EventKinds.Sensor, SensorNames.WaterTemperature).Count >= 2, "water faults");

        Assert.Contains("without a valid value", _events.Of(EventKinds.Sensor, SensorNames.WaterTemperature)[0].Reason);
        Assert.False(_readings.TryGetFresh(SensorNames.WaterTemperature, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), out _));
        await StopAsync(supervisor);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _board.Dispose();
        _sim.Dispose();
        _dir.Dispose();
    }

    private int Count(string sensor) => _stream.Count(r => r.Sensor == sensor);

    private Task Start()
    {
        var supervisor = new SensorSupervisor(_board, _readings, _events, TimeProvider.System, NullLoggerFactory.Instance);
        _ = Task.Run(async () =>
        {
            await foreach (var r in _readings.Stream.ReadAllAsync(_stop.Token))
            {
                _stream.Enqueue(r);
            }
        });
        return Task.WhenAll(supervisor.Loops.Select(l => Task.Run(() => l.RunAsync(_stop.Token))));
    }

    private async Task StopAsync(Task loops)
    {
        await _stop.CancelAsync();
        await loops.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
