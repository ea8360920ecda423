using System.Diagnostics.CodeAnalysis;

namespace Fleet.Hub.Hosting;

/// <summary>Either a value or a named <see cref="Failure"/>; facades return this instead of throwing for expected refusals.</summary>
internal readonly struct Outcome<T>
{
    private Outcome(T? value, Failure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }
    public Failure? Failure { get; }

    [MemberNotNullWhen(false, nameof(Failure))]
    [MemberNotNullWhen(true, nameof(Value))]
    public bool Ok => Failure is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
