namespace Fleet.Protocol.Messages.Validation;

/// <summary>The outcome of checking one inbound message: valid, or refused with a reason name (a metric label) and
/// a message for the device's event log.</summary>
public sealed record InboundCheck(string? Reason, string Message)
{
    public static readonly InboundCheck Valid = new(null, "valid");

    public bool IsValid => Reason is null;

    public static InboundCheck Refuse(string reason, string message) => new(reason, message);
}
