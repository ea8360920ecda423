using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>ASP.NET Core Identity's tables (users, password hashes, claims) in the hub's own database. A context of its
/// own with its own migrations history table, so the sign-in schema and <see cref="Storage.HubDb"/>'s schema evolve
/// without sharing one model snapshot. A user's hub role is the claim <see cref="SignInClaims.RoleClaim"/>.</summary>
internal sealed class UiIdentityDb(DbContextOptions<UiIdentityDb> options) : IdentityUserContext<IdentityUser>(options)
{
    public const string HistoryTable = "__IdentityMigrationsHistory";
}
