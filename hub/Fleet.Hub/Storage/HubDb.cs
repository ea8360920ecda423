using Fleet.Hub.Audit;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Products;
using Fleet.Hub.Rollouts;
using Fleet.Hub.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Hub.Storage;

/// <summary>The hub's database (users and tokens are in <see cref="Accounts.AccountsDb"/>, same database). Nothing here is SQLite-specific: <see cref="Postgres.PostgresHubDb"/> is the same
/// model on PostgreSQL, a subclass only so each provider keeps its own migrations.</summary>
internal class HubDb : DbContext
{
    public HubDb(DbContextOptions<HubDb> options)
        : base(options)
    {
    }

    protected HubDb(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Product> Products => Set<Product>();
    public DbSet<RegisteredKey> RegisteredKeys => Set<RegisteredKey>();
    public DbSet<FirmwareRecord> Firmware => Set<FirmwareRecord>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<DeviceEventRecord> DeviceEvents => Set<DeviceEventRecord>();
    public DbSet<TelemetryReading> Telemetry => Set<TelemetryReading>();
    public DbSet<TelemetryReceipt> TelemetryReceipts => Set<TelemetryReceipt>();
    public DbSet<HealthRecord> Health => Set<HealthRecord>();
    public DbSet<DeploymentGroup> DeploymentGroups => Set<DeploymentGroup>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<RolloutAttempt> RolloutAttempts => Set<RolloutAttempt>();
    public DbSet<TrustRootRecord> TrustRoots => Set<TrustRootRecord>();
    public DbSet<TrustRoleRecord> TrustRoles => Set<TrustRoleRecord>();
    public DbSet<DowngradePermitRecord> DowngradePermits => Set<DowngradePermitRecord>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset columns; a 64-bit value sorts the same on every provider.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Product>().HasIndex(p => p.Name).IsUnique();
        // The table keeps the name it had when the type was called SigningKey.
        b.Entity<RegisteredKey>().ToTable("SigningKeys");
        b.Entity<RegisteredKey>().HasIndex(k => new { k.ProductId, k.Name }).IsUnique();
        b.Entity<RegisteredKey>().HasIndex(k => new { k.ProductId, k.KeyId }).IsUnique();
        b.Entity<FirmwareRecord>().HasIndex(f => f.Uuid).IsUnique();
        b.Entity<FirmwareRecord>().HasIndex(f => new { f.ProductId, f.Version }).IsUnique();
        b.Entity<Device>().HasIndex(d => d.Serial).IsUnique();
        b.Entity<DeviceEventRecord>().HasIndex(e => new { e.DeviceId, e.Id });
        b.Entity<TelemetryReading>().HasIndex(r => new { r.DeviceId, r.Sensor, r.Ts });
        b.Entity<TelemetryReceipt>().HasKey(r => new { r.DeviceId, r.Sequence });
        b.Entity<HealthRecord>().ToTable("HealthSummaries");
        b.Entity<HealthRecord>().Property(h => h.TankState).HasMaxLength(64);
        b.Entity<HealthRecord>().Property(h => h.Firmware).HasMaxLength(64);
        b.Entity<HealthRecord>().HasIndex(h => new { h.DeviceId, h.Id });
        b.Entity<HealthRecord>().HasIndex(h => new { h.DeviceId, h.ReceivedAt });
        b.Entity<HealthRecord>().HasIndex(h => h.ReceivedAt);
        b.Entity<DeploymentGroup>().HasIndex(g => g.Name).IsUnique();
        b.Entity<DeploymentGroup>().HasOne(g => g.Firmware).WithMany().HasForeignKey(g => g.FirmwareId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Release>().HasOne(r => r.Firmware).WithMany().HasForeignKey(r => r.FirmwareId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<AuditEntry>().HasIndex(a => a.Time);
        b.Entity<RolloutAttempt>().Property(a => a.State).HasConversion<string>();
        b.Entity<RolloutAttempt>().Property(a => a.Failure).HasConversion<string>();
        b.Entity<RolloutAttempt>().HasIndex(a => new { a.Serial, a.FirmwareUuid });
        b.Entity<RolloutAttempt>().HasIndex(a => new { a.DeploymentGroupId, a.State });
        b.Entity<TrustRootRecord>().HasIndex(r => new { r.ProductId, r.Version }).IsUnique();
        b.Entity<TrustRootRecord>().HasOne<Product>().WithMany().HasForeignKey(r => r.ProductId).OnDelete(DeleteBehavior.Cascade);
        b.Entity<TrustRoleRecord>().HasIndex(r => new { r.ProductId, r.Role }).IsUnique();
        b.Entity<TrustRoleRecord>().HasOne<Product>().WithMany().HasForeignKey(r => r.ProductId).OnDelete(DeleteBehavior.Cascade);
        // Optimistic concurrency on the version: two nodes re-signing at once cannot both win.
        b.Entity<TrustRoleRecord>().Property(r => r.Version).IsConcurrencyToken();
        b.Entity<DowngradePermitRecord>().HasIndex(p => p.FirmwareId);
        b.Entity<DowngradePermitRecord>().HasOne<FirmwareRecord>().WithMany().HasForeignKey(p => p.FirmwareId).OnDelete(DeleteBehavior.Cascade);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseAuditEdits();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseAuditEdits();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>The audit log is append-only: refuse any edit or removal, whoever asks.</summary>
    private void RefuseAuditEdits()
    {
        if (ChangeTracker.Entries<AuditEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("The audit log is append-only.");
        }
    }
}
