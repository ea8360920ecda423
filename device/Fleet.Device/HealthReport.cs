namespace Fleet.Device;

/// <summary>Result of <see cref="AgentHealth.Check"/>; <see cref="Healthy"/> needs all three.</summary>
public sealed record HealthReport(bool HubReachable, bool SensorsReading, bool TankRunning, IReadOnlyList<string> FreshSensors)
{
    public bool Healthy => HubReachable && SensorsReading && TankRunning;
}
