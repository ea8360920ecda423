using System.Text.Json.Nodes;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>Stores signed downgrade permits for a firmware (<c>fleet firmware permit-downgrade --publish</c>). Each is
/// checked against the product's trust rules before it is kept; the orchestrator attaches it to offers for
/// devices whose installed version it replaces, and the device checks it once more, with its own scope.</summary>
internal sealed class DowngradePermitStore(IDbContextFactory<HubDb> dbs, ReleaseGate gate, AuditLog audit, TimeProvider clock)
{
    public async Task<Outcome<DowngradePermitRecord>> AddAsync(Actor actor, string uuid, byte[] json, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.AsNoTracking().Include(f => f.Product).FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        if (firmware?.Product is null)
        {
            return FirmwareStore.Unknown(uuid);
        }

        IReadOnlyList<string> replaces;
        DateTimeOffset expires;
        try
        {
            var signed = SignedEnvelope.Parse(json, "downgrade permit").Signed;
            replaces = [.. (signed["replaces"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "")];
            expires = DateTimeOffset.Parse(signed["expires"]?.GetValue<string>() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is TrustFormatException or FormatException or InvalidOperationException)
        {
            return new Failure(FailureKind.Invalid, nameof(TrustFailure.Malformed), $"not a downgrade permit: {ex.Message}");
        }

        if (replaces.Count == 0)
        {
            return new Failure(FailureKind.Invalid, nameof(TrustFailure.Malformed), "the downgrade permit replaces no version");
        }

        var scopes = await gate.ScopesAsync(firmware.Product.Name, ct);
        var now = clock.GetUtcNow();
        foreach (var version in replaces)
        {
            var verdict = scopes.VerifyPermit(json, firmware, version, now);
            if (!verdict.IsValid)
            {
                return new Failure(FailureKind.Invalid, verdict.Failure.ToString(), $"downgrade permit for {firmware.Version} ({uuid}) refused: {verdict.Message}");
            }
        }

        var record = new DowngradePermitRecord { FirmwareId = firmware.Id, Json = json, Replaces = [.. replaces], Expires = expires, CreatedAt = now };
        db.DowngradePermits.Add(record);
        audit.Record(db, actor, "firmware.permit", $"firmware:{uuid}", $"version={firmware.Version} replaces={string.Join(',', replaces)} expires={expires:O}");
        await db.SaveChangesAsync(ct);
        return record;
    }
}
