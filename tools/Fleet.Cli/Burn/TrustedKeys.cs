using Fleet.Protocol.Signing;

namespace Fleet.Cli.Burn;

/// <summary>The firmware signing keys a device trusts: its provisioning's <c>trusted-keys/*.pub</c>.</summary>
internal static class TrustedKeys
{
    public static IReadOnlyList<VerifyingKey> Load(string serial, string directory)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.pub").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
        {
            throw new CliFailure($"the provisioning of '{serial}' trusts no firmware signing keys (no {directory}/*.pub), so no bundle can be checked; " +
                "register the product's key with 'fleet keys register NAME --product P' and provision the device again");
        }

        var keys = new List<VerifyingKey>();
        foreach (var file in files)
        {
            try
            {
                keys.Add(VerifyingKey.Load(file));
            }
            catch (KeyFormatException ex)
            {
                throw new CliFailure($"trusted key '{file}' of '{serial}' is not an Ed25519 public key ({ex.Message}); provision the device again");
            }
        }

        return keys;
    }
}
