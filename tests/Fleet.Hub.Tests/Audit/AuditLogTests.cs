using Fleet.Hub.Audit;
using Fleet.Hub.Storage;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Tests.Audit;

public sealed class AuditLogTests
{
    [Fact]
    public async Task The_audit_log_refuses_edits_and_deletions()
    {
        using var dir = new TempDir();
        var options = new DbContextOptionsBuilder<HubDb>().UseSqlite($"Data Source={dir.Combine("hub.db")};Pooling=False").Options;
        await using (var db = new HubDb(options))
        {
            await db.Database.MigrateAsync();
            db.Audit.Add(new AuditEntry { Actor = "admin", Action = "product.create", Subject = "product:p", Time = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using (var db = new HubDb(options))
        {
            var entry = await db.Audit.SingleAsync();
            entry.Actor = "someone-else";
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        }

        await using (var db = new HubDb(options))
        {
            db.Audit.Remove(await db.Audit.SingleAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            Assert.Equal("admin", (await db.Audit.AsNoTracking().SingleAsync()).Actor);
        }
    }
}
