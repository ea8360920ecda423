namespace Fleet.Protocol.Messages;

/// <summary>One sensor value. <see cref="Sensor"/> names come from <see cref="SensorNames"/>.</summary>
public sealed record Reading(string Sensor, double Value, string Unit, DateTimeOffset Ts);
