using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Accounts;

/// <summary>Lets <c>dotnet ef migrations add --context AccountsDb</c> build the model without starting the hub.</summary>
internal sealed class DesignTimeAccountsDb : IDesignTimeDbContextFactory<AccountsDb>
{
    public AccountsDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AccountsDb>()
            .UseSqlite("Data Source=design.db", s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)).Options);
}
