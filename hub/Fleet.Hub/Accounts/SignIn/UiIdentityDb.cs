using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>ASP.NET Core Identity's tables (users, password hashes, claims) in the hub's own database. A context of its
/// own with its own migrations history table, so the sign-in schema and <see cref="Storage.HubDb"/>'s schema evolve
/// without sharing one model snapshot. A user's hub role is the claim <see cref="SignInClaims.RoleClaim"/>.</summary>
internal class UiIdentityDb : IdentityUserContext<IdentityUser>
{
    public UiIdentityDb(DbContextOptions<UiIdentityDb> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Storage.Postgres.PostgresUiIdentityDb"/>, which exists only to keep PostgreSQL's migrations apart.</summary>
    protected UiIdentityDb(DbContextOptions options)
        : base(options)
    {
    }

    public const string HistoryTable = "__IdentityMigrationsHistory";
}
