namespace Fleet.Device.Tests.Boot;

/// <summary>boot.json as read back by a real JSON parser, so the tests also prove fleet-boot writes valid JSON.</summary>
internal sealed record BootState(string Active, string Committed, string? TrialSlot, int? TrialAttempts);
