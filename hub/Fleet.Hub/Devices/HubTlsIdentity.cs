using Fleet.Hub.Hosting;
using Fleet.Hub.Pki;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Devices;

/// <summary>Which TLS identity the hub presents, decided once at start: a hub upgraded from a release whose device CA
/// also signed its server certificate keeps presenting that legacy certificate while any unrevoked tank has not
/// reported pinning the hub's own anchor (it would stop connecting otherwise), unless <c>--tls-identity separate</c>.
/// <see cref="HubAnchorDelivery"/> moves the tanks over; the next start after the last one presents the separate
/// identity.</summary>
internal sealed class HubTlsIdentity(IDbContextFactory<HubDb> dbs, HubPki pki, IOptions<HubOptions> options, ILogger<HubTlsIdentity> log)
{
    public async Task ChooseAsync(CancellationToken ct)
    {
        if (!pki.HasLegacyIdentity)
        {
            pki.Choose(separate: true);
            return;
        }

        var view = await ViewAsync(ct);
        var separate = options.Value.TlsIdentity switch
        {
            "separate" => true,
            "legacy" => false,
            _ => view.DevicesOnOldAnchor == 0,
        };
        pki.Choose(separate);
        if (separate)
        {
            log.LogInformation("Presenting the hub's separate TLS identity (anchor {Fingerprint}); {Count} tank(s) still on the old anchor", pki.HubAnchorFingerprint, view.DevicesOnOldAnchor);
        }
        else
        {
            log.LogWarning("Presenting the legacy TLS certificate: {Count} tank(s) still pin the old anchor (first: {First}). They receive the new anchor when they connect with this release's agent; restart the hub once none is left (GET /api/v1/hub/tls). docs/upgrade.md",
                view.DevicesOnOldAnchor, string.Join(", ", view.FirstOnOldAnchor));
        }
    }

    /// <summary>The anchor a device said it pins (its status, or its answer to <c>hub-anchor</c>).</summary>
    public async Task RecordAsync(string serial, string fingerprint, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.Devices.Where(d => d.Serial == serial).ExecuteUpdateAsync(u => u.SetProperty(d => d.HubAnchor, fingerprint), ct);
    }

    /// <summary>The anchor a device pins, for its page: a short fingerprint and whether it is the hub's own.</summary>
    public string Describe(string? deviceAnchor) => deviceAnchor switch
    {
        null => "not reported (an agent from before the hub's own TLS identity)",
        _ when deviceAnchor == pki.HubAnchorFingerprint => $"{deviceAnchor[..16]}… (the hub's own anchor)",
        _ => $"{deviceAnchor[..Math.Min(16, deviceAnchor.Length)]}… (an older anchor: the hub sends its own when the tank connects)",
    };

    public async Task<HubTlsView> ViewAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fingerprint = pki.HubAnchorFingerprint;
        var old = db.Devices.AsNoTracking().Where(d => !d.Revoked && (d.HubAnchor == null || d.HubAnchor != fingerprint));
        var count = await old.CountAsync(ct);
        var first = await old.OrderBy(d => d.Serial).Select(d => d.Serial).Take(20).ToListAsync(ct);
        return new HubTlsView(pki.PresentsLegacyIdentity ? "legacy" : "separate", fingerprint, pki.HubAnchorPem, pki.HasLegacyIdentity ? count : 0, pki.HasLegacyIdentity ? first : []);
    }
}

/// <summary>The hub's TLS identity as the API shows it.</summary>
internal sealed record HubTlsView(string Presented, string HubAnchorFingerprint, string HubAnchorPem, int DevicesOnOldAnchor, IReadOnlyList<string> FirstOnOldAnchor);
