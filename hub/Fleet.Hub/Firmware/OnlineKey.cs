using Fleet.Protocol.Signing;

namespace Fleet.Hub.Firmware;

/// <summary>The hub's online Ed25519 key, which signs each product's <c>snapshot.json</c> and <c>timestamp.json</c>
/// (the roles a root names for it). It lives in <c>DATA/tuf-online.key</c>, created 0600 from the first byte on the
/// first start; it never signs targets or roots, so losing it costs freshness, not the power to ship firmware.</summary>
internal sealed class OnlineKey
{
    public const string FileName = "tuf-online.key";

    private OnlineKey(SigningKey key) => Key = key;

    public SigningKey Key { get; }

    public VerifyingKey PublicKey => Key.PublicKey;

    public static OnlineKey LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            try
            {
                // AtomicFile with the private mode and no overwrite: another node or process that got there first wins.
                SigningKey.Generate().Save(path);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }

        return new OnlineKey(SigningKey.Load(path));
    }
}
