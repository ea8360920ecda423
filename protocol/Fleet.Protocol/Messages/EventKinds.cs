namespace Fleet.Protocol.Messages;

public static class EventKinds
{
    /// <summary>A tank state machine transition; Name = new state, Detail = "from -> to (trigger)".</summary>
    public const string Tank = "tank";

    /// <summary>A sensor loop fault or recovery; Name = sensor.</summary>
    public const string Sensor = "sensor";

    /// <summary>Update progress; Name = one of <see cref="UpdateStages"/>.</summary>
    public const string Update = "update";

    /// <summary>Command handling (identify, reboot, config).</summary>
    public const string Command = "command";

    /// <summary>Recorded by the hub, never sent: a message from the device that failed validation and was dropped;
    /// Name = the reason (<c>InboundValidator</c>), Detail = what was wrong.</summary>
    public const string Protocol = "protocol";
}
