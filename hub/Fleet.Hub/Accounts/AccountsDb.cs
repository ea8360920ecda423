using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Hub.Accounts;

/// <summary>The Accounts context's tables: ASP.NET Core Identity's users (name, password hash, security stamp) with
/// the hub's role and disabled flag, and their API tokens (<c>AccountTokens</c>). In the hub's database, with its own
/// migrations history table (<see cref="HistoryTable"/>) so its schema evolves apart from <see cref="Storage.HubDb"/>'s.
/// It is migrated after HubDb: its <c>OneAccountDirectory</c> migration moves the old API accounts (tables HubDb's
/// first migration made) in here and drops their tables.</summary>
internal class AccountsDb : IdentityUserContext<HubUser>
{
    public AccountsDb(DbContextOptions<AccountsDb> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Storage.Postgres.PostgresAccountsDb"/>, which exists only to keep PostgreSQL's migrations apart.</summary>
    protected AccountsDb(DbContextOptions options)
        : base(options)
    {
    }

    public const string HistoryTable = "__IdentityMigrationsHistory";

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<HubUser>().Property(u => u.Role).HasMaxLength(16).HasDefaultValue("");
        // Stored as HubDb stores times (a 64-bit value that sorts on every provider), so moved rows copy as they are.
        builder.Entity<HubUser>().Property(u => u.CreatedAt).HasConversion<DateTimeOffsetToBinaryConverter>();
        var token = builder.Entity<ApiToken>();
        token.ToTable("AccountTokens");
        token.HasIndex(t => t.Hash).IsUnique();
        token.HasIndex(t => new { t.UserId, t.Name });
        token.HasOne(t => t.User).WithMany(u => u.Tokens).HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        token.Property(t => t.CreatedAt).HasConversion<DateTimeOffsetToBinaryConverter>();
        token.Property(t => t.ExpiresAt).HasConversion<DateTimeOffsetToBinaryConverter>();
        token.Property(t => t.LastUsedAt).HasConversion<DateTimeOffsetToBinaryConverter>();
        token.Property(t => t.RevokedAt).HasConversion<DateTimeOffsetToBinaryConverter>();
        token.Ignore(t => t.Fingerprint);
    }
}
