namespace Fleet.Device.Hardware;

/// <summary>The relays that drive the actuators.</summary>
public interface IRelayBank : IDisposable
{
    void Set(Actuator actuator, bool on);

    bool IsOn(Actuator actuator);
}
