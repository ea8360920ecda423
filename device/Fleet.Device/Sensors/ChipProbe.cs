namespace Fleet.Device.Sensors;

/// <summary>A probe reading one quantity off a <see cref="SharedChip{T}"/>. Disposing it (the loop's restart)
/// resets the chip, so a wedged chip is re-initialised.</summary>
internal sealed class ChipProbe<T>(SharedChip<T> chip, SharedChip<T>.Reader read) : ISensorProbe
    where T : class, IDisposable
{
    public bool TryRead(out double value) => chip.TryRead(read, out value);

    public void Dispose() => chip.Reset();
}
