namespace Fleet.Device.Tank;

/// <summary><c>ROOT/tank.json</c>: what must survive a restart.</summary>
public sealed record PersistedTank(string State, DateTimeOffset Since, int Harvests);
