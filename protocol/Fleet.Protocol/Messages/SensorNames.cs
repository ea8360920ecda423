namespace Fleet.Protocol.Messages;

public static class SensorNames
{
    public const string WaterTemperature = "water_temperature";
    public const string AirTemperature = "air_temperature";
    public const string Humidity = "humidity";
    public const string Light = "light";
    public const string Ph = "ph";
    public const string Turbidity = "turbidity";
    public const string DissolvedOxygen = "dissolved_oxygen";
    public const string WaterLevel = "water_level";

    public static readonly IReadOnlyList<string> All =
        [WaterTemperature, AirTemperature, Humidity, Light, Ph, Turbidity, DissolvedOxygen, WaterLevel];
}
