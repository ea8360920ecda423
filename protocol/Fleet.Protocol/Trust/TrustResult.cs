namespace Fleet.Protocol.Trust;

/// <summary>A verification outcome: a value, or a named <see cref="TrustFailure"/> with one message for people.</summary>
public sealed record TrustResult<T>(T? Value, TrustFailure Failure, string Message)
    where T : class
{
    public bool IsValid => Failure == TrustFailure.None && Value is not null;

    public static TrustResult<T> Ok(T value, string message = "ok") => new(value, TrustFailure.None, message);

    public static TrustResult<T> Fail(TrustFailure failure, string message) => new(null, failure, message);

    public TrustResult<TOther> As<TOther>()
        where TOther : class => new(null, Failure, Message);
}
