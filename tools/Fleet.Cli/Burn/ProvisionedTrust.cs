using System.Text.Json;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Burn;

/// <summary>The device's trust as its card will carry it: <c>provisioning/trust/</c> (TUF root, targets, membership)
/// when the hub gave it, else the legacy <c>trusted-keys/</c>. With TUF metadata a bundle must also be authorized for
/// this device by <see cref="TrustedMetadata.Authorize"/>, exactly as the agent checks an update.</summary>
internal sealed class ProvisionedTrust
{
    private readonly TrustedMetadata? _metadata;
    private readonly string _serial;
    private readonly IReadOnlyList<string> _tags;

    private ProvisionedTrust(string serial, IReadOnlyList<VerifyingKey> keys, TrustedMetadata? metadata, IReadOnlyList<string> tags)
    {
        _serial = serial;
        Keys = keys;
        _metadata = metadata;
        _tags = tags;
    }

    public IReadOnlyList<VerifyingKey> Keys { get; }

    public static ProvisionedTrust Load(string serial, string provisioningDir)
    {
        var trustDir = Path.Combine(provisioningDir, "trust");
        if (!Directory.Exists(trustDir))
        {
            return new ProvisionedTrust(serial, TrustedKeys.Load(serial, Path.Combine(provisioningDir, "trusted-keys")), null, []);
        }

        TrustResult<TrustedMetadata> loaded;
        IReadOnlyList<string> tags;
        try
        {
            loaded = TrustedMetadata.Load(File.ReadAllBytes(Path.Combine(trustDir, "root.json")), File.ReadAllBytes(Path.Combine(trustDir, "targets.json")));
            using var membership = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(trustDir, "membership.json")));
            tags = [.. membership.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString() ?? "")];
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliFailure($"the trust metadata of '{serial}' in {trustDir} cannot be read ({ex.Message}); provision the device again");
        }

        if (!loaded.IsValid)
        {
            throw new CliFailure($"the trust metadata of '{serial}' in {trustDir} does not verify ({loaded.Failure}: {loaded.Message}); provision the device again");
        }

        var keys = loaded.Value!.Targets.SigningKeys();
        if (keys.Count == 0)
        {
            throw new CliFailure($"the trust metadata of '{serial}' trusts no firmware-signing key, so no bundle can go on its card; add one with 'fleet trust add-key' and provision the device again");
        }

        return new ProvisionedTrust(serial, keys, loaded.Value, tags);
    }

    /// <summary>Null when the signers may ship this bundle to the device, else why not.</summary>
    public string? Refusal(VerificationResult verdict)
    {
        if (_metadata is null || verdict.Manifest is not { } manifest)
        {
            return null;
        }

        var allowed = _metadata.Authorize(verdict.TrustedSigners, new FirmwareScope(manifest.Product, manifest.Version.ToString(), _serial, null, _tags), DateTimeOffset.UtcNow);
        return allowed.IsValid ? null : $"{allowed.Failure}: {allowed.Message}";
    }
}
