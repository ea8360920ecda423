using System.Diagnostics.CodeAnalysis;

namespace Fleet.Protocol.Bundles;

/// <summary>The outcome of a verification: <see cref="Failure"/> is <see cref="VerificationFailure.None"/> when valid.
/// <see cref="Manifest"/> is set whenever the manifest parsed (also on later failures, for messages);
/// trust it only when <see cref="IsValid"/>.</summary>
public sealed record VerificationResult(VerificationFailure Failure, string Message)
{
    [MemberNotNullWhen(true, nameof(Manifest), nameof(SignedBy))]
    public bool IsValid => Failure == VerificationFailure.None;

    public Manifest? Manifest { get; init; }

    /// <summary>KeyId of the trusted key whose signature verified.</summary>
    public string? SignedBy { get; init; }

    public IReadOnlyList<BundleSignature> Signatures { get; init; } = [];

    internal static VerificationResult Fail(VerificationFailure failure, string message) => new(failure, message);

    public override string ToString() => IsValid ? $"verified: {Message}" : $"{Failure}: {Message}";
}
