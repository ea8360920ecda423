namespace Fleet.Protocol.Bundles;

/// <summary>Thrown by <see cref="BundleWriter"/> when its input is not usable; carries the same named reason
/// a verifier would give. (Verification itself never throws: it returns a <see cref="VerificationResult"/>.)</summary>
public sealed class BundleFormatException(VerificationFailure failure, string message) : Exception(message)
{
    public VerificationFailure Failure { get; } = failure;
}
