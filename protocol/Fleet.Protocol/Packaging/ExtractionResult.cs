namespace Fleet.Protocol.Packaging;

/// <summary>The outcome of unpacking: counts on success, or a named failure with a message for people.</summary>
public sealed record ExtractionResult(ExtractionFailure Failure, string Message, int Entries = 0, long Bytes = 0)
{
    public bool IsSuccess => Failure == ExtractionFailure.None;

    public override string ToString() => IsSuccess ? Message : $"{Failure}: {Message}";
}
