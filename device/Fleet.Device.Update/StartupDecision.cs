namespace Fleet.Device.Update;

public sealed record StartupDecision(StartupStep Step, UpdateRecord Record, string? Reason = null);
