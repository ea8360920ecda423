namespace Fleet.Device.Sensors;

/// <summary>A probe answered but gave no trustworthy value (CRC mismatch, power-on value, non-finite).</summary>
public sealed class SensorReadFailedException(string message) : Exception(message);
