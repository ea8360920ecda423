namespace Fleet.Protocol.Bundles;

internal static class VerificationResultSteps
{
    /// <summary>An intermediate step passed (its result is not yet a verified bundle).</summary>
    public static bool IsValidStep(this VerificationResult result) => result.Failure == VerificationFailure.None;
}
