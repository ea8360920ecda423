namespace Fleet.Device.Hardware;

/// <summary>The float switch: true when the tank is full.</summary>
public interface ILevelSwitch : IDisposable
{
    bool TryReadFull(out bool full);
}
