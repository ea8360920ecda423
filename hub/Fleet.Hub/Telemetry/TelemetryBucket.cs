namespace Fleet.Hub.Telemetry;

/// <summary>One time bucket of one sensor's readings, as charts draw it: the band min..max and the mean.</summary>
internal sealed record TelemetryBucket(string Sensor, DateTimeOffset Start, double Min, double Avg, double Max, int Count);
