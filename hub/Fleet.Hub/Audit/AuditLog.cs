using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Audit;

/// <summary>The Audit facade. Other facades call <see cref="Record"/> on the context they are about to save,
/// so a change and its audit entry commit together or not at all.</summary>
internal sealed class AuditLog(IDbContextFactory<HubDb> dbs, TimeProvider clock)
{
    public void Record(HubDb db, Actor actor, string action, string subject, string? details = null) =>
        db.Audit.Add(new AuditEntry
        {
            Actor = actor.Name,
            Token = actor.Token,
            Action = action,
            Subject = subject,
            Details = details,
            Time = clock.GetUtcNow(),
        });

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, string? subject, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Audit.AsNoTracking();
        if (!string.IsNullOrEmpty(subject))
        {
            q = q.Where(a => a.Subject == subject);
        }

        return await q.OrderByDescending(a => a.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    /// <summary>The UI's filters: actor exactly, subject exactly or by prefix (<c>device:</c>), and a time range.</summary>
    public async Task<IReadOnlyList<AuditEntry>> SearchAsync(string? actor, string? subject, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Audit.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(actor))
        {
            q = q.Where(a => a.Actor == actor.Trim());
        }

        if (!string.IsNullOrWhiteSpace(subject))
        {
            q = q.Where(a => a.Subject.StartsWith(subject.Trim()));
        }

        if (from is { } f)
        {
            q = q.Where(a => a.Time >= f);
        }

        if (to is { } t)
        {
            q = q.Where(a => a.Time <= t);
        }

        return await q.OrderByDescending(a => a.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }
}
