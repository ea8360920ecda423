using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>Signs a product's <c>snapshot.json</c> and <c>timestamp.json</c> with the hub's online key, each a
/// version higher than the last, so an independent TUF client can refresh from the hub.</summary>
internal sealed class TrustSigner(OnlineKey onlineKey)
{
    /// <summary>How long a signed snapshot or timestamp stays valid; the hub re-signs daily, well before.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Adds or updates the two rows on <paramref name="db"/>; the caller saves them with its own change.</summary>
    public async Task ResignAsync(HubDb db, int productId, long targetsVersion, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await db.TrustRoles.Where(r => r.ProductId == productId && (r.Role == TufRoles.Snapshot || r.Role == TufRoles.Timestamp)).ToListAsync(ct);
        var expires = now + Lifetime;
        var snapshot = Row(db, rows, productId, TufRoles.Snapshot);
        snapshot.Version++;
        snapshot.Json = SignedEnvelope.Sign(TrustDocuments.Snapshot(snapshot.Version, expires, new Dictionary<string, long> { ["targets.json"] = targetsVersion }), [onlineKey.Key]);
        snapshot.Expires = expires;
        snapshot.UpdatedAt = now;

        var timestamp = Row(db, rows, productId, TufRoles.Timestamp);
        timestamp.Version++;
        timestamp.Json = SignedEnvelope.Sign(TrustDocuments.Timestamp(timestamp.Version, expires, snapshot.Version), [onlineKey.Key]);
        timestamp.Expires = expires;
        timestamp.UpdatedAt = now;
    }

    private static TrustRoleRecord Row(HubDb db, List<TrustRoleRecord> rows, int productId, string role)
    {
        var row = rows.FirstOrDefault(r => r.Role == role);
        if (row is null)
        {
            row = new TrustRoleRecord { ProductId = productId, Role = role, Json = [] };
            db.TrustRoles.Add(row);
        }

        return row;
    }
}
