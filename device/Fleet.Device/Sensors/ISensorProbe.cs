namespace Fleet.Device.Sensors;

/// <summary>One physical quantity from one chip. A false return or an exception is a failed read: no value.</summary>
public interface ISensorProbe : IDisposable
{
    bool TryRead(out double value);
}
