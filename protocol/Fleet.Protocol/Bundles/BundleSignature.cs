namespace Fleet.Protocol.Bundles;

/// <summary>One entry of <c>manifest.sig</c>: <c>{"keyId":"16 hex","alg":"ed25519","sig":"base64"}</c>.</summary>
public sealed record BundleSignature(string KeyId, string Alg, string Sig)
{
    public const string Ed25519 = "ed25519";
}
