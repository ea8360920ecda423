namespace Fleet.Protocol.Messages;

/// <summary>Args of the <c>config</c> command; null fields keep the device's current value.</summary>
public sealed record TankConfig(
    double? LightOnHours = null,
    double? LightsOnAtHour = null,
    double? WaterTemperatureMin = null,
    double? WaterTemperatureMax = null,
    double? PhMin = null,
    double? PhMax = null,
    double? HarvestTurbidity = null,
    double? HarvestTargetTurbidity = null);
