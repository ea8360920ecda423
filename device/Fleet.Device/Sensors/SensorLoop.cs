using Fleet.Device.Configuration;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Sensors;

/// <summary>One sensor's supervised reading loop, in the manner of an OTP supervisor: open the probe, read at the
/// sampling interval; on a failed read (false, non-finite, or any exception) drop the sensor's latest value,
/// report a <c>sensor</c> event, close the probe (re-initialising its chip) and restart after an exponential
/// backoff. Recovery is reported too. Nothing here touches another sensor's loop.</summary>
public sealed class SensorLoop(
    SensorSource source,
    SamplingProfile sampling,
    SensorReadings readings,
    IDeviceEvents events,
    TimeProvider clock,
    ILogger logger,
    TimeProvider? timers = null)
{
    private readonly TimeProvider _timers = timers ?? TimeProvider.System;

    public string Sensor => source.Sensor;

    public int Restarts { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(sampling.IntervalMs);
        var backoff = TimeSpan.FromMilliseconds(sampling.BackoffInitialMs);
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            ISensorProbe? probe = null;
            try
            {
                // Opening initialises the chip on a worker thread: drivers block (datasheet conversion delays).
                probe = await Task.Run(source.Open, ct);
                while (!ct.IsCancellationRequested)
                {
                    var started = _timers.GetTimestamp();
                    var value = await Task.Run(() => probe.TryRead(out var v) ? v : double.NaN, ct);
                    if (!double.IsFinite(value))
                    {
                        throw new SensorReadFailedException($"{source.Sensor}: the chip answered without a valid value");
                    }

                    readings.Accept(new Reading(source.Sensor, value, source.Unit, clock.GetUtcNow()));
                    if (failing)
                    {
                        failing = false;
                        backoff = TimeSpan.FromMilliseconds(sampling.BackoffInitialMs);
                        events.Publish(new DeviceEvent(EventKinds.Sensor, source.Sensor, clock.GetUtcNow(), Detail: "recovered"));
                        logger.LogInformation("Sensor {Sensor} recovered", source.Sensor);
                    }

                    var wait = interval - _timers.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _timers, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Restarts++;
                failing = true;
                var reason = ex is SensorReadFailedException ? ex.Message : $"{source.Sensor}: {ex.GetType().Name}: {ex.Message}";
                readings.Invalidate(source.Sensor, reason);
                events.Publish(new DeviceEvent(EventKinds.Sensor, source.Sensor, clock.GetUtcNow(),
                    Detail: "fault", Reason: $"{reason}; restart {Restarts} in {backoff.TotalSeconds:0.###} s"));
                logger.LogWarning("Sensor {Sensor} failed ({Reason}); restart {Restart} in {Backoff}", source.Sensor, reason, Restarts, backoff);
                Close(probe);
                probe = null;
                try
                {
                    await Task.Delay(backoff, _timers, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, sampling.BackoffMaxMs));
            }
            finally
            {
                Close(probe);
            }
        }
    }

    private static void Close(ISensorProbe? probe)
    {
        try
        {
            probe?.Dispose();
        }
        catch (IOException)
        {
        }
    }
}
