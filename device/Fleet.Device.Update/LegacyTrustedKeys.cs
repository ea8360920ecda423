using Fleet.Protocol.Signing;

namespace Fleet.Device.Update;

/// <summary>The product signing keys a tank provisioned before TUF metadata trusts (<c>provisioning/trusted-keys/*.pub</c>):
/// what it checks firmware against until it holds a trust store, and what must endorse the first root it takes
/// over the air (<see cref="Fleet.Protocol.Trust.TrustedMetadata.Adopt"/>). None, or only unreadable ones, trusts nobody.</summary>
public static class LegacyTrustedKeys
{
    public static List<VerifyingKey> Load(DeviceRoot root)
    {
        var keys = new List<VerifyingKey>();
        if (!Directory.Exists(root.TrustedKeysDir))
        {
            return keys;
        }

        foreach (var file in Directory.EnumerateFiles(root.TrustedKeysDir, "*.pub").Order(StringComparer.Ordinal))
        {
            try
            {
                keys.Add(VerifyingKey.Load(file));
            }
            catch (KeyFormatException)
            {
                // A damaged key file cannot vouch for anything; the others still count.
            }
        }

        return keys;
    }
}
