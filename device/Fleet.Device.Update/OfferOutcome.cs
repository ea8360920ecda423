using Fleet.Protocol.Bundles;

namespace Fleet.Device.Update;

/// <summary>The answer to an <c>update</c> command. <see cref="Failure"/> names why it was refused before any byte
/// was downloaded (<see cref="VerificationFailure"/> names, or <c>Busy</c>).</summary>
public sealed record OfferOutcome(bool Accepted, string? Failure, string Message, Manifest? Manifest)
{
    public static OfferOutcome Refused(string failure, string message, Manifest? manifest = null) => new(false, failure, message, manifest);
}
