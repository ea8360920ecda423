namespace Fleet.Device.Sensors;

/// <summary>A chip several probes read (BME280: temperature and humidity; ADS1115: three channels). Opens the
/// driver on first use, serialises access, and closes it when a read throws so the next read re-initialises it.</summary>
internal sealed class SharedChip<T>(Func<T> open) : IDisposable
    where T : class, IDisposable
{
    private readonly Lock _gate = new();
    private T? _chip;

    public delegate bool Reader(T chip, out double value);

    public bool TryRead(Reader read, out double value)
    {
        lock (_gate)
        {
            try
            {
                _chip ??= open();
                return read(_chip, out value);
            }
            catch
            {
                ResetLocked();
                throw;
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            ResetLocked();
        }
    }

    public void Dispose() => Reset();

    private void ResetLocked()
    {
        try
        {
            _chip?.Dispose();
        }
        catch (IOException)
        {
            // A chip that is gone cannot be told goodbye.
        }

        _chip = null;
    }
}
