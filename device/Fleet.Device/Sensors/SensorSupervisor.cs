using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Sensors;

/// <summary>Runs one <see cref="SensorLoop"/> per sensor of the board; a loop only ends with the agent.</summary>
public sealed class SensorSupervisor(Board board, SensorReadings readings, IDeviceEvents events, TimeProvider clock, ILoggerFactory loggers)
    : BackgroundService
{
    public IReadOnlyList<SensorLoop> Loops { get; } = board.Sensors
        .Select(s => new SensorLoop(s, board.Profile.Sampling, readings, events, clock, loggers.CreateLogger($"Fleet.Device.Sensors.{s.Sensor}")))
        .ToList();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Loops.Select(l => Task.Run(() => l.RunAsync(stoppingToken), stoppingToken)));
}
