using Fleet.Device.Hardware;

namespace Fleet.Device.Tests;

internal sealed class FakeRelays : IRelayBank
{
    private readonly Dictionary<Actuator, bool> _on = Enum.GetValues<Actuator>().ToDictionary(a => a, _ => false);

    public List<(Actuator, bool)> Writes { get; } = [];

    public void Set(Actuator actuator, bool on)
    {
        lock (_on)
        {
            _on[actuator] = on;
            Writes.Add((actuator, on));
        }
    }

    public bool IsOn(Actuator actuator)
    {
        lock (_on)
        {
            return _on[actuator];
        }
    }

    public void Dispose()
    {
    }
}
