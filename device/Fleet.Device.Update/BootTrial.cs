namespace Fleet.Device.Update;

/// <summary>A slot on probation: <c>fleet-boot</c> counts its starts and reverts after too many.</summary>
public sealed record BootTrial(string Slot, int Attempts);
