using System.Collections.Concurrent;
using System.Device.Gpio;

namespace Fleet.Device.Simulation;

/// <summary>A 28-pin GPIO bank in memory: outputs remember what was written (the relays the model reads),
/// inputs read from a source the simulated tank provides (the float switch), with the pull-up's high when
/// nothing drives them.</summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly ConcurrentDictionary<int, PinMode> _modes = new();
    private readonly ConcurrentDictionary<int, PinValue> _outputs = new();
    private readonly ConcurrentDictionary<int, Func<PinValue>> _inputs = new();

    protected override int PinCount => 28;

    /// <summary>Every write, in order (pin, value), for tests of what the relays did.</summary>
    public ConcurrentQueue<(int Pin, PinValue Value)> Writes { get; } = new();

    public void DriveInput(int pin, Func<PinValue> source) => _inputs[pin] = source;

    public PinValue OutputOf(int pin) => _outputs.TryGetValue(pin, out var v) ? v : PinValue.Low;

    public bool IsOpen(int pin) => _modes.ContainsKey(pin);

    protected override void OpenPin(int pinNumber)
    {
        CheckPin(pinNumber);
        _modes.TryAdd(pinNumber, PinMode.Input);
    }

    protected override void ClosePin(int pinNumber) => _modes.TryRemove(pinNumber, out _);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.TryGetValue(pinNumber, out var m) ? m : PinMode.Input;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber)
    {
        CheckPin(pinNumber);
        var mode = GetPinMode(pinNumber);
        if (mode == PinMode.Output)
        {
            return OutputOf(pinNumber);
        }

        if (_inputs.TryGetValue(pinNumber, out var source))
        {
            return source();
        }

        return mode == PinMode.InputPullDown ? PinValue.Low : PinValue.High;
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        CheckPin(pinNumber);
        _outputs[pinNumber] = value;
        Writes.Enqueue((pinNumber, value));
        while (Writes.Count > 10_000)
        {
            Writes.TryDequeue(out _);
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne();
        return new WaitForEventResult { TimedOut = true, EventTypes = PinEventTypes.None };
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        // The agent polls its inputs; nothing here raises edges.
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
    }

    private void CheckPin(int pin)
    {
        if (pin < 0 || pin >= PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pin), pin, $"the simulated header has GPIO 0-{PinCount - 1}");
        }
    }
}
