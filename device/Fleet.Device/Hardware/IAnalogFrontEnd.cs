namespace Fleet.Device.Hardware;

/// <summary>A multi-channel ADC the analog probes hang on (ADS1115). Implementations serialise channel
/// switches, because several sensor loops share the chip.</summary>
public interface IAnalogFrontEnd : IDisposable
{
    bool TryReadVolts(int channel, out double volts);
}
