namespace Fleet.Device.Sensors;

/// <summary>A sensor the agent samples: its wire name (<see cref="Fleet.Protocol.Messages.SensorNames"/>), unit, and
/// how to open a fresh probe (a supervised loop re-opens it after a failure, re-initialising the chip).</summary>
public sealed record SensorSource(string Sensor, string Unit, Func<ISensorProbe> Open);
